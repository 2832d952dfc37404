"""Files from requesters: sealed as they arrive, checked by content, served back intact."""

from __future__ import annotations

import os
import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tropa import vault
from tropa.cases import uploads
from tropa.cases.models import Attachment, AttachmentChunk, Message
from tropa.conftest import english_client, russian_client
from tropa.intake import actions
from tropa.keyring.actions import open_keyring
from tropa.testing.factories import assert_nowhere, new_requester, signed_in_client

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEXT = "Повестка пришла 12 числа. plain-text-marker-31\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 20
HTML_WITH_NUL = b"<html><body>hello\x00<script>alert(1)</script></body></html>"
BAD_UTF8 = b"abc\xff\xfe\xfd" * 1000


@pytest.fixture
def requester(org):
    return new_requester("en")


@pytest.fixture
def client(requester):
    return signed_in_client(requester[0])


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def send(client, text: str = "", *files: SimpleUploadedFile):
    return client.post("/portal/send/", {"text": text, "files": list(files)})


def nothing_stored() -> bool:
    return not (
        Message.objects.exists() or Attachment.objects.exists() or AttachmentChunk.objects.exists()
    )


def download(client, attachment: Attachment):
    return client.get(f"/portal/files/{attachment.id}/")


# --- accepted ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("photo.jpg", JPEG, "image/jpeg"),
        ("scan.png", PNG, "image/png"),
        ("summons.pdf", PDF, "application/pdf"),
        ("notes.txt", TEXT, "text/plain"),
        ("no-extension", PDF, "application/pdf"),
        ("disguised.exe", JPEG, "image/jpeg"),
    ],
)
def test_it_accepts_photos_pdf_and_text_by_content(client, requester, name, data, content_type):
    codename, case = requester
    response = send(client, "see attached", upload(name, data))
    assert response.status_code == 302, response.content.decode()[-3000:]
    attachment = Attachment.objects.get(case=case)
    assert attachment.message.kind == "in"
    meta, opened = uploads.open_attachment(attachment, actions.identity(codename).keys)
    assert opened == data
    assert meta == {"name": name, "type": content_type, "size": len(data)}
    page = client.get("/portal/").content.decode()
    assert f'href="/portal/files/{attachment.id}/"' in page
    assert name in page


def test_it_sends_a_file_without_text(client, requester):
    _codename, case = requester
    assert send(client, "", upload("scan.pdf", PDF)).status_code == 302
    assert Attachment.objects.filter(case=case).count() == 1


def test_it_sends_several_files_with_one_message(client, requester, settings):
    _codename, case = requester
    files = [upload(f"p{i}.png", PNG + bytes([i])) for i in range(settings.TROPA_MAX_FILES)]
    assert send(client, "all of them", *files).status_code == 302
    message = Message.objects.get(case=case)
    assert message.attachments.count() == settings.TROPA_MAX_FILES


def test_it_lets_the_case_team_open_a_file(client, requester, coordinator):
    _codename, case = requester
    send(client, "", upload("scan.pdf", PDF))
    attachment = Attachment.objects.get(case=case)
    case_keys = open_keyring(case.keyring, coordinator.staff, coordinator.keys())
    meta, data = uploads.open_attachment(attachment, case_keys)
    assert data == PDF
    assert meta["name"] == "scan.pdf"


def test_it_cleans_the_file_name(client, requester):
    codename, case = requester
    send(client, "", upload("../../etc/пас\u202eпорт\x07.txt", TEXT))
    attachment = Attachment.objects.get(case=case)
    meta, _data = uploads.open_attachment(attachment, actions.identity(codename).keys)
    assert "/" not in meta["name"] and "\x07" not in meta["name"]
    assert "\u202e" not in meta["name"]
    assert meta["name"].endswith(".txt")


# --- refused ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("setup.exe", EXE),
        ("run.bin", ELF),
        ("photos.zip", ZIP),
        ("page.html", HTML_WITH_NUL),
        ("looks.txt", BAD_UTF8),
    ],
)
def test_it_refuses_other_types_and_keeps_the_text(client, name, data):
    response = send(client, "my typed words stay", upload(name, data))
    page = response.content.decode()
    assert response.status_code == 400
    assert f"“{name}” is not a photo, PDF or text file." in page
    assert "my typed words stay</textarea>" in page
    assert nothing_stored()


def test_it_refuses_an_empty_file(client):
    response = send(client, "kept text", upload("empty.jpg", b""))
    page = response.content.decode()
    assert response.status_code == 400
    assert "The file “empty.jpg” is empty." in page
    assert "kept text</textarea>" in page
    assert nothing_stored()


def test_it_refuses_a_file_over_the_size_limit(client, settings):
    settings.TROPA_MAX_FILE_MB = 1
    big = b"%PDF-" + b"x" * (1024 * 1024)
    response = send(client, "kept text", upload("big.pdf", big))
    page = response.content.decode()
    assert response.status_code == 400
    assert "The file “big.pdf” is larger than 1 MB." in page
    assert "kept text</textarea>" in page
    assert nothing_stored()


def test_it_accepts_a_file_exactly_at_the_size_limit(client, settings):
    settings.TROPA_MAX_FILE_MB = 1
    exact = b"%PDF-" + b"x" * (1024 * 1024 - 5)
    assert send(client, "", upload("exact.pdf", exact)).status_code == 302
    assert Attachment.objects.count() == 1


def test_it_refuses_too_many_files(client, settings):
    settings.TROPA_MAX_FILES = 2
    files = [upload(f"p{i}.png", PNG) for i in range(3)]
    response = send(client, "kept text", *files)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Send at most 2 files at once." in page
    assert "Nothing was sent. Choose the files again and send." in page
    assert "kept text</textarea>" in page
    assert nothing_stored()


def test_it_refuses_everything_when_one_file_is_bad(client):
    response = send(client, "kept", upload("ok.png", PNG), upload("bad.exe", EXE))
    page = response.content.decode()
    assert response.status_code == 400
    assert "“bad.exe” is not a photo" in page
    assert "Nothing was sent." in page
    assert nothing_stored()


def test_it_names_every_bad_file(client):
    response = send(client, "", upload("a.exe", EXE), upload("b.txt", b""))
    page = response.content.decode()
    assert "“a.exe” is not a photo" in page
    assert "The file “b.txt” is empty." in page
    assert nothing_stored()


def test_it_escapes_a_hostile_file_name_in_errors(client):
    response = send(client, "", upload("<img src=x onerror=alert(1)>.exe", EXE))
    page = response.content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.exe" in page


def test_it_refuses_files_in_russian_for_a_russian_requester(org):
    codename, _case = new_requester("ru")
    client = signed_in_client(codename, russian_client())
    response = send(client, "текст остаётся", upload("a.exe", EXE))
    page = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="ru"' in page
    assert "текст остаётся</textarea>" in page
    assert "a.exe" in page


# --- stored sealed ----------------------------------------------------------


def test_it_stores_only_ciphertext(client, requester):
    _codename, case = requester
    marker = "file-plaintext-marker-4711"
    data = (marker + " Мой паспорт\n").encode() * 6000  # ~ 200 KiB, several chunks
    send(client, "", upload(f"{marker}.txt", data))
    attachment = Attachment.objects.get(case=case)
    assert attachment.chunk_count == AttachmentChunk.objects.filter(attachment=attachment).count()
    assert attachment.chunk_count >= 4
    for chunk in AttachmentChunk.objects.filter(attachment=attachment):
        assert marker.encode() not in bytes(chunk.data)
        assert "паспорт".encode() not in bytes(chunk.data)
    assert_nowhere(marker, "Мой паспорт")


def test_it_writes_no_plaintext_to_temporary_files(client, requester, monkeypatch):
    """What reaches the spooled file (and so the disk, above 1 MiB) is ciphertext."""
    written: list[bytes] = []
    rolled: list[bool] = []

    class Recording(tempfile.SpooledTemporaryFile):
        def write(self, data):
            written.append(bytes(data))
            return super().write(data)

        def rollover(self):
            rolled.append(True)
            return super().rollover()

    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", Recording)
    marker = b"spooled-plaintext-marker-902 "
    data = marker * (1536 * 1024 // len(marker))  # 1.5 MiB: spills to disk
    codename, case = requester
    assert send(client, "", upload("long.txt", data)).status_code == 302
    assert rolled, "the file was expected to spill to a temporary file"
    everything = b"".join(written)
    assert len(everything) > len(data)
    assert marker not in everything
    meta, opened = uploads.open_attachment(
        Attachment.objects.get(case=case), actions.identity(codename).keys
    )
    assert opened == data


# --- served back ------------------------------------------------------------


def test_it_serves_exactly_the_bytes_uploaded(client, requester):
    _codename, case = requester
    send(client, "", upload("скан повестки.pdf", PDF))
    response = download(client, Attachment.objects.get(case=case))
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/octet-stream"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%D1%81%D0%BA%D0%B0%D0%BD%20" in disposition
    assert response["Cache-Control"].startswith("no-store")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_round_trips_a_multi_chunk_file(client, requester):
    _codename, case = requester
    data = b"%PDF-" + os.urandom(200 * 1024)
    assert send(client, "", upload("big.pdf", data)).status_code == 302
    attachment = Attachment.objects.get(case=case)
    assert attachment.chunk_count >= 4
    assert download(client, attachment).content == data


def test_it_refuses_a_tampered_file_instead_of_serving_it(client, requester):
    _codename, case = requester
    data = b"%PDF-" + os.urandom(150 * 1024)
    send(client, "", upload("doc.pdf", data))
    attachment = Attachment.objects.get(case=case)
    chunk = AttachmentChunk.objects.get(attachment=attachment, index=2)
    spoiled = bytearray(bytes(chunk.data))
    spoiled[len(spoiled) // 2] ^= 0x01
    chunk.data = bytes(spoiled)
    chunk.save(update_fields=["data"])
    assert download(client, attachment).status_code == 404


def test_it_refuses_a_file_missing_its_last_chunk(client, requester):
    _codename, case = requester
    send(client, "", upload("doc.pdf", b"%PDF-" + os.urandom(150 * 1024)))
    attachment = Attachment.objects.get(case=case)
    AttachmentChunk.objects.filter(attachment=attachment).order_by("-index").first().delete()
    assert download(client, attachment).status_code == 404


def test_it_hides_another_requesters_file(client, requester, org):
    other_codename, other_case = new_requester("en")
    send(signed_in_client(other_codename), "", upload("theirs.pdf", PDF))
    theirs = Attachment.objects.get(case=other_case)
    assert download(client, theirs).status_code == 404
    assert client.get("/portal/files/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_it_serves_no_file_to_a_stranger(client, requester):
    _codename, case = requester
    send(client, "", upload("mine.pdf", PDF))
    response = download(english_client(), Attachment.objects.get(case=case))
    assert response.status_code == 302
    assert response.url == "/portal/login/"


def test_it_refuses_a_staff_file_sealed_to_the_case_only(client, requester):
    """A file the requester cannot open is a 404, not an error page."""
    _codename, case = requester
    sealer = vault.FileSealer()
    frames = sealer.push(PDF) + sealer.finish()
    attachment = Attachment.objects.create(
        case=case,
        created_at=case.received_at,
        sealed_file_key=vault.seal_to_many(sealer.file_key, [case.public_key]),
        sealed_meta=vault.seal_to_many(b'{"name": "x.pdf"}', [case.public_key]),
        chunk_count=len(frames),
    )
    AttachmentChunk.objects.bulk_create(
        AttachmentChunk(attachment=attachment, index=i, data=f) for i, f in enumerate(frames)
    )
    assert download(client, attachment).status_code == 404


# --- the sniffing itself ------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypheic", "image/heic"),
        (PDF, "application/pdf"),
        ("Привет".encode(), "text/plain"),
        ("Привет".encode()[:-1], "text/plain"),  # a character cut at the end
        (EXE, None),
        (ELF, None),
        (ZIP, None),
        (HTML_WITH_NUL, None),
        (BAD_UTF8, None),
    ],
)
def test_it_sniffs_types_from_content(head, expected):
    assert uploads.sniff(head) == expected


def test_it_ignores_the_empty_file_part_a_browser_sends_with_no_file_chosen(client, requester):
    """Browsers post `filename=""` with no content when nothing was chosen."""
    _codename, case = requester
    body = (
        b"--xyz\r\n"
        b'Content-Disposition: form-data; name="text"\r\n\r\n'
        b"just text\r\n"
        b"--xyz\r\n"
        b'Content-Disposition: form-data; name="files"; filename=""\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
        b"\r\n"
        b"--xyz--\r\n"
    )
    response = client.generic(
        "POST", "/portal/send/", body, content_type="multipart/form-data; boundary=xyz"
    )
    assert response.status_code == 302
    assert Message.objects.filter(case=case).count() == 1
    assert not Attachment.objects.exists()
