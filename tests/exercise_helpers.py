"""Shared by the exercise-checker tests (tests/ is on sys.path under pytest)."""


def assert_rejects(feedback, *words) -> str:
    """Assert a checker's Feedback failed and its message names every word."""
    text = str(feedback)
    assert not feedback.passed, text
    for word in words:
        assert word in text, text
    return text
