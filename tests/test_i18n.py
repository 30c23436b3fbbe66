def test_walking_away_from_a_draft_is_not_the_dprks_walk_out_in_chinese():
    """The seat's "walk away" (its disagreement value) read 退出, the word of the DPRK's
    walk-out (退出六方会谈)."""
    from sixparty.analysis.i18n import LABELS

    zh = LABELS["zh"]
    assert "放弃本次协议" in zh["seat.u_walk"] and "退出" not in zh["seat.u_walk"]
    for key in ("worth_signing", "trust_too_low", "below_walking_away", "far_beyond_radius"):
        assert "退出" not in zh[f"seat.why.{key}"] and "放弃协议" in zh[f"seat.why.{key}"]


def test_compared_values_show_the_decimals_that_tell_them_apart():
    """Debrief read "worth 0.93 to it, less than the 0.93 of walking away": values
    that differ get the decimals (up to four) that show them different."""
    from sixparty.analysis.i18n import compared

    assert compared(0.7, 0.75) == ("0.70", "0.75")
    assert compared(0.9271, 0.9304) == ("0.927", "0.930")
    assert compared(0.92712, 0.92738) == ("0.9271", "0.9274")
    assert compared(0.5, 0.5) == ("0.50", "0.50")  # equal values stay at two
    # one number of decimals for all: the card's three utilities line up
    assert compared(0.9271, 0.9271, 0.9304) == ("0.927", "0.927", "0.930")
    assert compared(0.93001, 0.93004) == ("0.9300", "0.9300")  # closer than 0.0001
    assert compared() == ()
