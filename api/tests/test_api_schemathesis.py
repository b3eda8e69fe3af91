"""Schemathesis against the OpenAPI schema of /api/v1/: its examples, coverage and fuzzing
phases with at least 100 generated requests per operation (valid and invalid parameters), and
its stateful phase (sequences of calls following the links it infers, e.g. a list's slugs and
ids into the detail operations), on a database holding published, draft, unpublished, private
and re-drafted briefs; no 5xx and every response conforming to the schema (status codes,
content types, headers, bodies). Throttling is off for the run. About a minute and a half on
two cores."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from .test_api import _fresh_cache, world, world_data, wsgi_app  # noqa: F401  (fixtures)

EXAMPLES = 100
# Parameters whose schema-valid values can still be a 400, by design: an unknown country or
# topic names it rather than giving an empty list (the schema cannot list the taxonomy's slugs);
# published_to before published_from, and ordering=relevance without q, are contradictions
# between parameters, which the schema cannot express. Every other check still applies.
BY_DESIGN_400 = {"country", "topic", "published_to", "ordering"}
calls = {}


def _openapi():
    """The schema as /api/v1/schema/ serves it (generated here, at collection, because the
    fixture-based loader of schemathesis 4.32 does not work with pytest 9)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


PHASES = ("examples", "coverage", "fuzzing", "stateful")
config = SchemathesisConfig.from_dict({"phases": {phase: {"enabled": True} for phase in PHASES}})
schema = schemathesis.openapi.from_dict(_openapi(), config=config)
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def no_rate_limits(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "token": None},
    }


@pytest.fixture
def counted(request):
    """Fails the operation's test if fewer than EXAMPLES requests were made."""
    key = request.node.name
    calls[key] = 0
    yield key
    assert calls[key] >= EXAMPLES, f"only {calls[key]} examples for {key}"


def _excluded_checks(response):
    details = set()
    if response.status_code == 400:
        details = set(response.json().get("error", {}).get("details", {}))
    return [positive_data_acceptance] if details and details <= BY_DESIGN_400 else []


def test_every_phase_runs():
    phases = config.projects.default.phases
    assert all(phases.get_by_name(name=phase).enabled for phase in PHASES)


@schema.parametrize()
@HYPOTHESIS
def test_api_conforms_to_its_schema(case, world, wsgi_app, no_rate_limits, counted):  # noqa: F811
    calls[counted] += 1
    response = case.call(app=wsgi_app, headers={"Accept": "application/json"})
    case.validate_response(response, excluded_checks=_excluded_checks(response))


def test_api_conforms_to_its_schema_statefully(world, wsgi_app, no_rate_limits):  # noqa: F811
    steps = []

    class Workflow(schema.as_state_machine()):
        def call(self, case, **kwargs):
            steps.append(case.operation.label)
            return case.call(app=wsgi_app, headers={"Accept": "application/json"}, **kwargs)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, excluded_checks=_excluded_checks(response))

    Workflow.run(settings=settings(HYPOTHESIS, stateful_step_count=6))
    # Scenarios chained calls: some step reached a detail operation through a link.
    assert len(steps) >= EXAMPLES, len(steps)
    assert any("{" in label for label in steps), sorted(set(steps))
