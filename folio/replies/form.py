"""The "Leave a Reply" form and the checks a submission passes before it is stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from wtforms import EmailField, Form, HiddenField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from folio.content.entries import Post

#: Field limits of long-standing blog engines.
MAX_NAME, MAX_EMAIL, MAX_URL, MAX_COMMENT = 245, 100, 200, 65_525
#: A person takes longer than this to write a reply; scripts do not.
MIN_FILL_SECONDS = 3.0


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _web_address(form: Form, field: URLField) -> None:
    parts = urlsplit(field.data or "")
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValidationError("Please enter a web address starting with http:// or https://.")


class ReplyForm(Form):
    """Name, email, website and comment; plus a honeypot and the time spent filling it."""

    author = StringField(
        "Name",
        [
            DataRequired("Please enter your name."),
            Length(max=MAX_NAME, message=f"Please keep your name under {MAX_NAME} characters."),
        ],
        filters=[_strip],
    )
    email = EmailField(
        "Email",
        [
            DataRequired("Please enter your email address."),
            Length(max=MAX_EMAIL, message=f"Please keep the address under {MAX_EMAIL} characters."),
            Email("Please enter a valid email address."),
        ],
        filters=[_strip],
    )
    url = URLField(
        "Website",
        [
            Optional(),
            Length(max=MAX_URL, message=f"Please keep the address under {MAX_URL} characters."),
            _web_address,
        ],
        filters=[_strip],
    )
    comment = TextAreaField(
        "Comment",
        [
            DataRequired("Please write your comment."),
            Length(
                max=MAX_COMMENT,
                message=f"Please keep your comment under {MAX_COMMENT:,} characters.",
            ),
        ],
    )
    parent = HiddenField()
    # Hidden from people by CSS; form-filling bots fill every field they find.
    homepage = StringField("Leave this field empty")
    elapsed = HiddenField()

    def looks_automated(self) -> bool:
        """Filled the honeypot, or was submitted faster than a person can type."""
        if self.homepage.data:
            return True
        try:
            seconds = float(self.elapsed.data or "nan")
        except ValueError:
            return True
        # Without JavaScript there is no timing: other checks and moderation still apply.
        return seconds == seconds and seconds < MIN_FILL_SECONDS


def cross_site(fetch_site: str | None, origin: str | None, host_url: str) -> bool:
    """A browser says the form was posted from another site (Fetch metadata, Origin)."""
    if (fetch_site or "").lower() == "cross-site":
        return True
    if origin is None:
        return False  # no browser omits both; such clients face the other checks
    own = urlsplit(host_url)
    theirs = urlsplit(origin)
    return (theirs.scheme, theirs.netloc) != (own.scheme, own.netloc)


def replies_open(post: Post, now: datetime, close_after_days: int | None) -> bool:
    """Whether the post still takes replies."""
    if not post.comments:
        return False
    return close_after_days is None or now - post.date <= timedelta(days=close_after_days)
