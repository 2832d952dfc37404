"""A hash-chained, append-only audit log.

Each entry's hash covers its own fields and the previous entry's hash, so an
edited, deleted or reordered entry breaks the chain at that point. Entries
name staff, action and case, and never hold case content.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tropa.core.fields import CoarseDateTimeField

GENESIS = "0" * 64


class Action(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Signed out")
    TWO_FACTOR_ENROLLED = "2fa_enrolled", _("Enrolled two-factor")
    RECOVERY_CODE_USED = "recovery_code_used", _("Used a recovery code")
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("Renewed recovery codes")
    PASSWORD_CHANGED = "password_changed", _("Changed password")
    STAFF_CREATED = "staff_created", _("Created a staff account")
    STAFF_DISABLED = "staff_disabled", _("Disabled a staff account")
    STAFF_ENABLED = "staff_enabled", _("Enabled a staff account")
    STAFF_UNLOCKED = "staff_unlocked", _("Unlocked a staff account")
    TWO_FACTOR_RESET = "2fa_reset", _("Reset two-factor")
    PASSWORD_RESET = "password_reset", _("Reset password and keys")
    ACCESS_REGRANTED = "access_regranted", _("Re-granted access")
    SETTINGS_CHANGED = "settings_changed", _("Changed notification settings")
    TEAM_CREATED = "team_created", _("Created a team")
    TEAM_CHANGED = "team_changed", _("Moved a staff member to another team")
    TEAM_LADDER_CHANGED = "team_ladder_changed", _("Changed a team's escalation ladder")
    TEAM_TARGETS_CHANGED = "team_targets_changed", _("Changed a team's response targets")
    TEMPLATE_CHANGED = "template_changed", _("Changed a reply template")
    TELEGRAM_LINKED = "telegram_linked", _("Linked Telegram notifications")
    TELEGRAM_UNLINKED = "telegram_unlinked", _("Unlinked Telegram notifications")
    ACCESS_RESTORED = "access_restored", _("Restored access with the recovery key")
    ORG_INITIALISED = "org_initialised", _("Initialised the organisation")
    PANIC_WIPE = "panic_wipe", _("Panic wipe")
    REQUESTER_DELETED = "requester_deleted", _("The requester deleted everything")
    CASE_VIEWED = "case_viewed", _("Opened a case")
    CASE_ACCEPTED = "case_accepted", _("Accepted a request")
    CASE_DISCARDED = "case_discarded", _("Discarded a request")
    CASE_RESTORED = "case_restored", _("Restored a discarded request")
    CASE_MERGED = "case_merged", _("Merged a request into a case")
    CASE_ASSIGNED = "case_assigned", _("Assigned a case")
    CASE_UNASSIGNED = "case_unassigned", _("Unassigned a case")
    REPLY_SENT = "reply_sent", _("Replied to the requester")
    NOTE_ADDED = "note_added", _("Added an internal note")
    FILE_ADDED = "file_added", _("Added a file")
    FILE_READ = "file_read", _("Downloaded a file")
    STATUS_CHANGED = "status_changed", _("Changed a case's status")
    DETAILS_REVEALED = "details_revealed", _("Revealed a name or contact")
    TASK_ADDED = "task_added", _("Added a task")
    TASK_DONE = "task_done", _("Completed a task")
    PLAN_CHANGED = "plan_changed", _("Changed a journey plan")
    LEG_CHANGED = "leg_changed", _("Changed a journey leg's status")
    CHECKIN_RECORDED = "checkin_recorded", _("Recorded a check-in")
    ALERT_ACKNOWLEDGED = "alert_acknowledged", _("Acknowledged an alert")
    LABEL_ADDED = "label_added", _("Put a label on a case")
    LABEL_REMOVED = "label_removed", _("Took a label off a case")
    LABEL_DEFINED = "label_defined", _("Defined or removed a team label")
    VIEW_SAVED = "view_saved", _("Saved or removed a view of the case list")
    SEARCHED = "searched", _("Searched cases (the count is how many were found)")
    FOUND_BY_CODENAME = "found_by_codename", _("Found a case by the requester's codename")
    TASK_MOVED = "task_moved", _("Moved or cancelled a task")
    APPLICATION_OPENED = "application_opened", _("Opened an application to a safer country")
    APPLICATION_CHANGED = "application_changed", _("Changed an application")
    APPLICATION_STAGE = "application_stage", _("Moved an application to another stage")
    CHECKLIST_CHANGED = "checklist_changed", _("Changed an application's document checklist")
    CHECKLIST_TEMPLATE = "checklist_template", _("Changed a route's document checklist")
    TEMPLATE_UPLOADED = "template_uploaded", _("Uploaded a document template")
    DOCUMENT_PRODUCED = "document_produced", _("Produced a document from a template")
    DEADLINE_RULE_CHANGED = "deadline_rule", _("Changed a legal deadline rule")
    DEADLINE_RECORDED = "deadline_recorded", _("Recorded or removed a legal deadline")
    PROFESSION_SET = "profession_set", _("Set a staff member's profession")
    DIRECTORY_CHANGED = "directory_changed", _("Changed the directory of partners")
    DIRECTORY_ROTATED = "directory_rotated", _("Rotated the directory key")
    REFERRAL_CHANGED = "referral_changed", _("Changed a referral")
    SESSION_RECORDED = "session_recorded", _("Recorded a psychological session")
    RELEASE_PUBLISHED = "release_published", _("Published a statistics release")
    RELEASE_SUPERSEDED = "release_superseded", _("Superseded a statistics release")
    TALLY_REBUILT = "tally_rebuilt", _("Recounted the statistics from the cases")
    RECOVERY_SPLIT = "recovery_split", _("Split the recovery key among trustees")
    STAFF_IN_DANGER = "staff_in_danger", _("Marked a colleague in danger")
    ORPHANS_RESTORED = "orphans_restored", _("Restored cases nobody could open")
    BACKUP_MADE = "backup_made", _("Made an encrypted backup")
    ROSTER_CHANGED = "roster_changed", _("Changed the duty roster")
    DURESS_PASSWORD_SET = "duress_password_set", _("Set or removed a duress password")
    HANDOVER_WRITTEN = "handover_written", _("Wrote a handover note")
    CASE_HELD = "case_held", _("Held a case past its retention period")
    CASE_RELEASED = "case_released", _("Released a case's hold")
    CASE_SHREDDED = "case_shredded", _("Shredded a case after its retention period")
    AUDIT_SUMMARISED = "audit_summarised", _("Summarised old audit entries")
    SURGE_CHANGED = "surge_changed", _("Switched surge mode or changed its words")
    STAFF_EXPIRED = "staff_expired", _("A temporary account expired")
    DURESS_SIGN_IN = "duress_sign_in", _("Signed in with a duress password: a decoy opened")


class Entry(models.Model):
    seq = models.BigIntegerField(primary_key=True)
    at = CoarseDateTimeField(precision="minute")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    case_id = models.UUIDField(null=True, blank=True)
    target_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # A number the action is about (how many cases a search found); never what was searched.
    count = models.PositiveIntegerField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def compute_hash(self) -> str:
        fields = [
            str(self.seq),
            self.at.isoformat(),
            str(self.actor_id or ""),
            self.action,
            str(self.case_id or ""),
            str(self.target_staff_id or ""),
            self.prev_hash,
        ]
        if self.count is not None:  # entries without a count hash as they always did
            fields.append(str(self.count))
        return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


class Anchor(models.Model):
    """Where the chain starts again after its oldest entries were summarised
    (tropa/audit/anchors.py). The anchor keeps the hash of the last entry it
    replaces, which the next entry still names as its previous hash, and a
    content-free summary (entries per month and action); anchors are chained
    to each other the way entries are."""

    through_seq = models.BigIntegerField(unique=True)
    through_hash = models.CharField(max_length=64)
    entries = models.PositiveIntegerField()
    # {"2025-01": {"login": 120, "case_viewed": 300}, ...}: no actor, no case.
    summary = models.JSONField()
    made_at = CoarseDateTimeField(precision="minute")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"anchor through #{self.through_seq}"

    def compute_hash(self) -> str:
        fields = [
            str(self.through_seq),
            self.through_hash,
            str(self.entries),
            json.dumps(self.summary, sort_keys=True, separators=(",", ":")),
            self.made_at.isoformat(),
            self.prev_hash,
        ]
        return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()
