"""Japanese for h12's review fixes (issue #20's import pages)."""

JA = {
    # The mapping page's "(automatic)" for an owner name two accounts answer to.
    "(more than one user matches: an error)": "（該当するユーザーが複数：エラー）",
}
PLURALS: dict[str, list[str]] = {}
