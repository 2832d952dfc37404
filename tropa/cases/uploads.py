"""Files sent to a case, by requesters or staff: sealed while they arrive, never plaintext on disk.

`SealingUploadHandler` replaces Django's upload handlers for the one view that
accepts files. Each piece of a file is pushed through a secretstream sealer as
it arrives; only ciphertext is kept (in memory, spilling to a temporary file
above 1 MiB). The type is checked from the file's first bytes, not its name.
Settings-wide, FILE_UPLOAD_HANDLERS is memory-only, so no other view can write
an upload to disk either.
"""

from __future__ import annotations

import json
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from tropa import vault
from tropa.cases.models import Attachment, AttachmentChunk
from tropa.core import clock

TYPES: dict[str, tuple[tuple[int, bytes], ...]] = {
    "image/jpeg": ((0, b"\xff\xd8\xff"),),
    "image/png": ((0, b"\x89PNG\r\n\x1a\n"),),
    "image/gif": ((0, b"GIF87a"), (0, b"GIF89a")),
    "image/webp": ((8, b"WEBP"),),
    "image/heic": ((4, b"ftypheic"), (4, b"ftypheix"), (4, b"ftypmif1"), (4, b"ftyphevc")),
    "application/pdf": ((0, b"%PDF-"),),
}
# Telegram adds voice messages and short videos, which its apps make by default.
TELEGRAM_TYPES: dict[str, tuple[tuple[int, bytes], ...]] = {
    "audio/ogg": ((0, b"OggS"),),
    "video/mp4": ((4, b"ftyp"),),
    "audio/mpeg": ((0, b"ID3"), (0, b"\xff\xfb")),
}
# A Word document Tropa made itself (tropa/assistance: a document from a
# template); never accepted from outside, where it could carry macros or links.
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PRODUCED_TYPES: dict[str, tuple[tuple[int, bytes], ...]] = {DOCX: ((0, b"PK\x03\x04"),)}
TEXT = "text/plain"
ERRORS = {
    "empty": _("The file “%(name)s” is empty."),
    "too_big": _("The file “%(name)s” is larger than %(limit)d MB."),
    "type": _("“%(name)s” is not a photo, PDF or text file. Send photos, PDF or plain text."),
}
TOO_MANY = ngettext_lazy(
    "Send at most %(count)d file at once.", "Send at most %(count)d files at once.", "count"
)


def sniff(head: bytes, *, telegram: bool = False, produced: bool = False) -> str | None:
    types = TYPES | TELEGRAM_TYPES if telegram else TYPES
    if produced:
        types = types | PRODUCED_TYPES
    for content_type, signatures in types.items():
        if any(head[offset : offset + len(magic)] == magic for offset, magic in signatures):
            return content_type
    sample = head[:4096]
    if b"\x00" in sample:
        return None
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(sample) - 3:
            return None
    return TEXT


def clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "file"
    return name[:120]


@dataclass
class SealedUpload:
    """One uploaded file, as ciphertext, with its key; or the reason it was refused."""

    name: str
    file_key: bytes = b""
    frames: IO[bytes] | None = None
    frame_sizes: list[int] = field(default_factory=list)
    size: int = 0
    content_type: str = ""
    error: str = ""

    def error_message(self) -> str:
        params = {
            "name": self.name,
            "limit": settings.TROPA_MAX_FILE_MB,
            "count": settings.TROPA_MAX_FILES,
        }
        if self.error == "too_many":
            return str(TOO_MANY % params)
        return str(ERRORS[self.error]) % params

    def read_frames(self) -> list[bytes]:
        assert self.frames is not None
        self.frames.seek(0)
        return [self.frames.read(n) for n in self.frame_sizes]

    def close(self) -> None:
        if self.frames is not None:
            self.frames.close()


class SealingUploadHandler(FileUploadHandler):
    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.limit = settings.TROPA_MAX_FILE_MB * 1024 * 1024
        self.upload: SealedUpload | None = None
        self.sealer: vault.FileSealer | None = None
        self.head = b""
        self.count = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.count += 1
        self.upload = SealedUpload(name=clean_name(self.file_name or ""))
        if self.count > settings.TROPA_MAX_FILES:
            self.upload.error = "too_many"
        # Closed by SealedUpload.close() once stored or refused.
        self.upload.frames = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
        self.sealer = vault.FileSealer(padded=True)
        self.head = b""

    def _write(self, frames: list[bytes]) -> None:
        assert self.upload is not None and self.upload.frames is not None
        for frame in frames:
            self.upload.frames.write(frame)
            self.upload.frame_sizes.append(len(frame))

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        upload, sealer = self.upload, self.sealer
        assert upload is not None and sealer is not None
        if upload.error:
            return None
        if len(self.head) < 4096:
            self.head += raw_data[: 4096 - len(self.head)]
        if sealer.size + len(raw_data) > self.limit:
            upload.error = "too_big"
            upload.close()
            return None
        self._write(sealer.push(raw_data))
        return None

    def file_complete(self, file_size: int) -> SealedUpload:
        upload, sealer = self.upload, self.sealer
        assert upload is not None and sealer is not None
        if not upload.error:
            if sealer.size == 0:
                upload.error = "empty"
            elif (content_type := sniff(self.head)) is None:
                upload.error = "type"
            else:
                self._write(sealer.finish())
                upload.file_key = sealer.file_key
                upload.size = sealer.size
                upload.content_type = content_type
        if upload.error:
            upload.close()
            upload.frames = None
        self.head = b""
        return upload


def seal_bytes(
    name: str, data: bytes, *, telegram: bool = False, produced: bool = False
) -> SealedUpload:
    """A file already in memory (fetched from Telegram), checked and sealed like an upload."""
    upload = SealedUpload(name=clean_name(name))
    if not data:
        upload.error = "empty"
    elif len(data) > settings.TROPA_MAX_FILE_MB * 1024 * 1024:
        upload.error = "too_big"
    elif (content_type := sniff(data[:4096], telegram=telegram, produced=produced)) is None:
        upload.error = "type"
    if upload.error:
        return upload
    sealer = vault.FileSealer(padded=True)
    upload.frames = tempfile.SpooledTemporaryFile(max_size=len(data) + 1024 * 1024)  # noqa: SIM115
    frames = sealer.push(data) + sealer.finish()
    for frame in frames:
        upload.frames.write(frame)
        upload.frame_sizes.append(len(frame))
    upload.file_key = sealer.file_key
    upload.size = sealer.size
    upload.content_type = content_type
    return upload


def store_upload(upload: SealedUpload, case: Any, message: Any, recipients: list[bytes]) -> Any:
    """Save a sealed upload as an attachment of a message: ciphertext rows only."""

    meta = {"name": upload.name, "type": upload.content_type, "size": upload.size}
    attachment = Attachment.objects.create(
        case=case,
        message=message,
        created_at=message.created_at if message else clock.now(),
        sealed_file_key=vault.seal_to_many(upload.file_key, recipients),
        sealed_meta=vault.seal_to_many(json.dumps(meta).encode(), recipients),
    )
    frames = upload.read_frames()
    AttachmentChunk.objects.bulk_create(
        [AttachmentChunk(attachment=attachment, index=i, data=f) for i, f in enumerate(frames)]
    )
    attachment.chunk_count = len(frames)
    attachment.save(update_fields=["chunk_count"])
    upload.close()
    return attachment


def open_attachment(attachment: Any, keys: vault.KeyPair) -> tuple[dict[str, Any], bytes]:
    """Decrypt a whole attachment (files are small); CannotOpen if anything is off.

    The whole file is checked before any byte is returned, so a tampered file
    is refused instead of half-delivered.
    """
    file_key = vault.open_from_many(keys, bytes(attachment.sealed_file_key))
    meta = json.loads(vault.open_from_many(keys, bytes(attachment.sealed_meta)))
    return meta, open_with_file_key(attachment, file_key)


def open_with_file_key(attachment: Any, file_key: bytes) -> bytes:
    """An attachment's content, with its file key already in hand (the Telegram
    outbox carries it, sealed, to send a reply's file)."""
    data = b"".join(
        bytes(chunk) for chunk in attachment.chunks.order_by("index").values_list("data", flat=True)
    )
    reader = _Reader(data)
    return vault.unpad_file(b"".join(vault.decrypt_stream(file_key, reader.read)))


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.position = data, 0

    def read(self, size: int) -> bytes:
        part = self.data[self.position : self.position + size]
        self.position += len(part)
        return part


def accepts_sealed_uploads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a view that takes files: seal them as they arrive, then check CSRF.

    Upload handlers must be swapped before anything reads the body, so the
    CSRF middleware (which reads it) is skipped and the same check runs inside,
    after the swap. Ciphertext of files the view did not store is dropped.
    """
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        request.upload_handlers = [SealingUploadHandler(request)]
        try:
            return protected(request, *args, **kwargs)
        finally:
            # Only if the body was parsed: a refused request may never read it.
            parsed = getattr(request, "_files", None)
            for upload in parsed.getlist("files") if parsed is not None else []:
                upload.close()

    return wrapped
