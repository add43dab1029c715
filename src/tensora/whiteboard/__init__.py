"""The whiteboard: a multi-turn session between the skeptic and the student, persisted in SQLite.

session.py     Whiteboard: claims so far, re-audit per answer, finding statuses (no database)
voice.py       the skeptic's opening question and follow-ups, built from the audit
store.py       SessionStore: sessions, turns and findings snapshots in SQLite (WAL, one commit per turn)
migrations.py  the schema as append-only named migrations
chat.py        ChatSession: a Whiteboard whose turns are committed; start and resume
transcript.py  a stored session as Markdown or JSON
cli.py         ``tensora chat`` and ``tensora sessions ...``
"""
