"""The sessions' store (settings.SESSION_ENGINE): Django's database sessions, saved again only
when the idle timeout would move by a minute or more.

A session ends after SESSION_COOKIE_AGE without a request (30 minutes; docs/security.md 3.3.2).
Django keeps that end by saving the session on every request (SESSION_SAVE_EVERY_REQUEST): a
write transaction per page view, on SQLite one that takes the database's write lock, for the
sole purpose of moving the end forward by the seconds since the last page. Here a session read
whose stored end is more than REFRESH_SECONDS older than a save now would give is marked
modified, so Django's SessionMiddleware saves it after the view (and only then); the pages of
the same minute read it and write nothing. The session still ends between 29 and 30 minutes
after the last request: correct to the minute. A session whose data changes is saved at once,
as before (sign-in, second factor, language, messages).
"""

import datetime

from django.contrib.sessions.backends import db
from django.utils import timezone

REFRESH_SECONDS = 60


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):  # noqa: ANN202 - Django's Session or None
        session = super()._get_session_from_db()
        if session is not None and self._stale(session.expire_date):
            self.modified = True
        return session

    async def _aget_session_from_db(self):  # noqa: ANN202 - Django's Session or None
        session = await super()._aget_session_from_db()
        if session is not None and self._stale(session.expire_date):
            self.modified = True
        return session

    def _stale(self, expire_date: datetime.datetime) -> bool:
        """Whether a save now would move the stored end forward by REFRESH_SECONDS or more."""
        fresh = timezone.now() + datetime.timedelta(seconds=self.get_session_cookie_age())
        return fresh - expire_date >= datetime.timedelta(seconds=REFRESH_SECONDS)
