# Japanese for the strings added by the "arch" helper (issue 15 follow-up).
JA = {
    "team member": "チームメンバー",
    "team members": "チームメンバー",
    "team manager": "チームマネージャー",
    "team managers": "チームマネージャー",
}
PLURALS = {}
