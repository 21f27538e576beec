"""The OpenAPI schema: every operation documents the problems it can answer with."""

from drf_spectacular.openapi import AutoSchema

from samverkan.api.problems import PROBLEM, Problem

# What any operation may answer besides its success: a bad request, no or a refused token, a
# token that may not do this, a missing record or page, a method or body type not accepted,
# the rate limit; and the server's own failures (500 with a trace id, 503 while the database is
# gone or read-only, with Retry-After).
COMMON = ("400", "401", "403", "404", "405", "406", "415", "429", "500", "503")
WRITES = ("409", "422")


class ProblemAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        codes = COMMON + (WRITES if self.method in ("POST", "PUT", "PATCH") else ())
        # A view may answer more (the statistics: 422 for a period the public level refuses).
        codes += tuple(getattr(self.view, "problems", ()))
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    Problem, code, media_types=[PROBLEM], direction=direction
                )
        return responses
