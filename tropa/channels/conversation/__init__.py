"""What the bot does with one update: the intake questionnaire, then the case.

- updates.py: store an update once, with everything it causes, in one transaction
- chat.py: one chat's conversation (language, mode, dispatch)
- questions.py: the questionnaire, asked one question at a time
- case.py: a chat with a request: messages, files, check-ins, /delete, staff links
"""

from tropa.channels.chats import chat_lookup
from tropa.channels.conversation.chat import Conversation, Downloaded, Handled
from tropa.channels.conversation.updates import fetch_files, process, set_aside

__all__ = [
    "Conversation",
    "Downloaded",
    "Handled",
    "chat_lookup",
    "fetch_files",
    "process",
    "set_aside",
]
