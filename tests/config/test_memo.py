"""config.memo.BoundedMemo keeps at most ``size`` entries, forgetting the oldest."""

from config.memo import BoundedMemo


def test_the_oldest_entry_goes_first():
    memo = BoundedMemo(2)
    assert memo.put("a", 1) == 1
    memo.put("b", 2)
    memo.put("c", 3)
    assert len(memo) == 2 and memo.get("a") is None and (memo.get("b"), memo.get("c")) == (2, 3)
    memo.clear()
    assert len(memo) == 0 and memo.get("c") is None
