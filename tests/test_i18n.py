def test_walking_away_from_a_draft_is_not_the_dprks_walk_out_in_chinese():
    """The seat's "walk away" (its disagreement value) read 退出, the word of the DPRK's
    walk-out (退出六方会谈)."""
    from sixparty.analysis.i18n import LABELS

    zh = LABELS["zh"]
    assert "放弃本次协议" in zh["seat.u_walk"] and "退出" not in zh["seat.u_walk"]
    for key in ("worth_signing", "trust_too_low", "below_walking_away", "far_beyond_radius"):
        assert "退出" not in zh[f"seat.why.{key}"] and "放弃协议" in zh[f"seat.why.{key}"]
