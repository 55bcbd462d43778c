"""Settings: the example file, defaults, environment overrides and located problems."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from crossdock.config import (
    ConfigError,
    ConfigProblem,
    HttpEndpointConfig,
    Settings,
    check_config,
    load_settings,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "crossdock.yaml"
TOKEN = "tok-3f9a-very-secret"


def write(tmp_path: Path, text: str) -> Path:
    """A config file from an indented literal, so line numbers in tests are easy to count."""
    path = tmp_path / "crossdock.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems_of(path: Path, env: dict[str, str] | None = None) -> list[ConfigProblem]:
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env=env or {})
    return caught.value.problems


@pytest.fixture(autouse=True)
def no_known_document_types(monkeypatch: pytest.MonkeyPatch) -> None:
    """The canonical models are written elsewhere; these tests do not depend on them."""
    monkeypatch.setattr("crossdock.config.references._known_document_types", lambda: [])


def test_example_file_loads() -> None:
    settings = load_settings(EXAMPLE, env={})

    assert set(settings.endpoints) == {"erp", "wms", "archive"}
    erp = settings.endpoints["erp"]
    assert isinstance(erp, HttpEndpointConfig)
    assert str(erp.url) == "http://127.0.0.1:9101/in/erp"
    assert settings.endpoints["archive"].type == "folder"
    by_type: dict[str, set[str]] = {}
    for route in settings.routes:
        by_type.setdefault(route.when.document_type, set()).add(route.deliver.endpoint)
    assert by_type == {
        "purchase_order": {"erp", "archive"},
        "advance_ship_notice": {"wms", "erp"},
        "goods_receipt": {"wms", "erp"},
        "inventory_position": {"erp"},
    }
    inventory = next(r for r in settings.routes if r.when.document_type == "inventory_position")
    assert settings.lane_for_route(inventory) == "bulk"


def test_example_file_names_known_document_types() -> None:
    from crossdock.canonical.registry import document_types

    known = document_types()
    assert known
    settings = load_settings(EXAMPLE, env={})
    assert {r.when.document_type for r in settings.routes} <= set(known)


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""), env={})

    assert settings.hub.host == "127.0.0.1"
    assert settings.hub.port == 8080
    assert settings.hub.max_body_bytes == 1_048_576
    assert settings.lanes.critical.workers == 4
    assert settings.lanes.bulk.batch_size == 200
    assert settings.endpoints == {}
    assert settings.routes == []
    assert settings.database_url == "sqlite:///var/crossdock.db"
    assert settings.lane_for("inventory_position") == "bulk"
    assert settings.lane_for("purchase_order") == "critical"


def test_partial_lane_keeps_that_lanes_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "lanes: {bulk: {workers: 3}}"), env={})

    assert settings.lanes.bulk.workers == 3
    assert settings.lanes.bulk.batch_size == 200


def test_store_url_overrides_sqlite(tmp_path: Path) -> None:
    url = "postgresql+psycopg://hub:pw@db/crossdock"
    settings = load_settings(write(tmp_path, f"store: {{url: '{url}'}}"), env={})

    assert settings.database_url == url
    assert "pw" not in repr(settings)


def test_database_url_variable_sets_the_store_url(tmp_path: Path) -> None:
    url = "postgresql+psycopg://hub:pw@db/crossdock"
    path = write(tmp_path, "store: {url: 'sqlite:///from-file.db'}")

    settings = load_settings(path, env={"CROSSDOCK_DATABASE_URL": url})

    assert settings.database_url == url  # over the file, like any variable


def test_store_url_variable_wins_over_database_url(tmp_path: Path) -> None:
    env = {
        "CROSSDOCK_DATABASE_URL": "postgresql+psycopg://hub@db/general",
        "CROSSDOCK_STORE__URL": "postgresql+psycopg://hub@db/specific",
    }

    settings = load_settings(write(tmp_path, ""), env=env)

    assert settings.database_url == "postgresql+psycopg://hub@db/specific"


def test_environment_wins_over_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        hub: {port: 8080}
        endpoints:
          erp: {type: http, url: "http://127.0.0.1:9101/in/erp", token: from-file}
        """,
    )
    env = {"CROSSDOCK_HUB__PORT": "9000", "CROSSDOCK_ENDPOINTS__ERP__TOKEN": TOKEN}

    settings = load_settings(path, env=env)

    assert settings.hub.port == 9000
    erp = settings.endpoints["erp"]
    assert isinstance(erp, HttpEndpointConfig)
    assert erp.token is not None and erp.token.get_secret_value() == TOKEN
    assert str(erp.url) == "http://127.0.0.1:9101/in/erp"  # the rest of the file still counts


def test_config_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "hub: {port: 7000}")
    monkeypatch.chdir(tmp_path.parent)  # no ./crossdock.yaml here

    assert load_settings(env={"CROSSDOCK_CONFIG": str(path)}).hub.port == 7000


def test_token_from_secrets_dir(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "endpoints__erp__token").write_text(TOKEN + "\n", encoding="utf-8")
    path = write(tmp_path, "endpoints: {erp: {type: http, url: 'http://erp.example/in'}}")

    settings = load_settings(path, env={"CROSSDOCK_SECRETS_DIR": str(secrets)})

    erp = settings.endpoints["erp"]
    assert isinstance(erp, HttpEndpointConfig)
    assert erp.token is not None and erp.token.get_secret_value() == TOKEN


def test_token_never_shown(tmp_path: Path) -> None:
    path = write(tmp_path, "endpoints: {erp: {type: http, url: 'http://erp.example/in'}}")
    settings = load_settings(path, env={"CROSSDOCK_ENDPOINTS__ERP__TOKEN": TOKEN})

    for text in (
        repr(settings),
        str(settings),
        repr(settings.endpoints),
        str(settings.model_dump()),
    ):
        assert TOKEN not in text


def test_invalid_token_value_is_not_echoed(tmp_path: Path) -> None:
    path = write(tmp_path, "endpoints: {erp: {type: http, url: 'http://erp.example/in'}}")
    env = {"CROSSDOCK_ENDPOINTS__ERP__TOKEN": TOKEN, "CROSSDOCK_HUB__PORT": TOKEN}

    with pytest.raises(ConfigError) as caught:
        load_settings(path, env=env)

    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value.problems)


def test_typo_reports_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        hub:
          host: 0.0.0.0
          prot: 9000
        """,
    )

    [problem] = problems_of(path)

    assert (problem.path, problem.line, problem.column) == ("hub.prot", 3, 3)
    assert problem.file == str(path)
    assert str(problem) == f"{path}:3:3: hub.prot: unknown key 'prot'"


def test_wrong_type_points_at_value(tmp_path: Path) -> None:
    path = write(tmp_path, "hub:\n  port: eighty\n")

    [problem] = problems_of(path)

    assert (problem.path, problem.line, problem.column) == ("hub.port", 2, 9)


def test_nested_endpoint_problems_are_located(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        endpoints:
          erp:
            type: http
            url: http://erp.example/in
            retry: {max_attempts: 0}
          ftp:
            type: ftp
          Bad:
            type: folder
            path: out
        """,
    )

    found = {(p.path, p.line, p.column) for p in problems_of(path)}

    assert found == {
        ("endpoints.erp.retry.max_attempts", 5, 27),
        ("endpoints.ftp.type", 7, 11),
        ("endpoints.Bad", 8, 3),
    }


def test_unknown_endpoint_in_route_reports_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        endpoints:
          erp: {type: http, url: "http://erp.example/in"}
          archive: {type: folder, path: out}
        routes:
          - name: po-to-erp
            when: {document_type: purchase_order}
            deliver:
              endpoint: erpp
        """,
    )

    [problem] = problems_of(path)

    assert problem.path == "routes[0].deliver.endpoint"
    assert (problem.line, problem.column) == (8, 17)
    assert str(problem) == (
        f"{path}:8:17: routes[0].deliver.endpoint: unknown endpoint 'erpp' (known: archive, erp)"
    )


def test_unknown_document_type_when_registry_has_types(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = ["inventory_position", "purchase_order"]
    monkeypatch.setattr("crossdock.config.references._known_document_types", lambda: known)
    path = write(
        tmp_path,
        """
        endpoints: {erp: {type: folder, path: out}}
        routes:
          - {name: a, when: {document_type: purchase_ordr}, deliver: {endpoint: erp}}
        """,
    )

    [problem] = problems_of(path)

    assert (problem.path, problem.line) == ("routes[0].when.document_type", 3)
    assert (
        problem.message == "unknown document type 'purchase_ordr' (did you mean 'purchase_order'?)"
    )


def test_duplicate_route_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        endpoints: {erp: {type: folder, path: out}}
        routes:
          - {name: po, when: {document_type: purchase_order}, deliver: {endpoint: erp}}
          - {name: po, when: {document_type: goods_receipt}, deliver: {endpoint: erp}}
        """,
    )

    [problem] = problems_of(path)

    assert (problem.path, problem.line) == ("routes[1].name", 4)
    assert "duplicate route name 'po'" in problem.message


def test_fields_transform_needs_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        endpoints: {erp: {type: folder, path: out}}
        routes:
          - name: po
            when: {document_type: purchase_order, source: erp, where: {ship_to.address.country: US}}
            deliver: {endpoint: erp, transform: fields}
        """,
    )

    [problem] = problems_of(path)

    assert (problem.path, problem.line) == ("routes[0].deliver.fields", 5)


def test_route_conditions_accept_one_source_or_many(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        endpoints: {erp: {type: folder, path: out}}
        routes:
          - name: one
            when: {document_type: purchase_order, source: erp, where: {ship_to.address.country: US}}
            deliver: {endpoint: erp, transform: fields, fields: {po: po_number}}
            lane: bulk
          - name: many
            when: {document_type: purchase_order, source: [erp, supplier-portal]}
            deliver: {endpoint: erp}
        """,
    )

    one, many = load_settings(path, env={}).routes

    assert one.when.source == ["erp"]
    assert one.when.where == {"ship_to.address.country": "US"}
    assert many.when.source == ["erp", "supplier-portal"]
    assert one.lane == "bulk"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("hub:\n  port: 1\n    host: x\n", 3),
        ("hub: {port: 1\n", 2),
        ("routes:\n  - name: a\n - name: b\n", 3),
    ],
)
def test_bad_yaml_reports_line(tmp_path: Path, text: str, line: int) -> None:
    [problem] = problems_of(write(tmp_path, text))

    assert problem.line == line
    assert problem.message.startswith("invalid YAML")


def test_duplicate_yaml_key_is_an_error(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path, "hub:\n  port: 1\n  port: 2\n"))

    assert (problem.path, problem.line, problem.column) == ("hub.port", 3, 3)


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path, "- hub\n"))

    assert problem.line == 1


def test_non_string_top_level_key_is_an_unknown_key(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path, "hub: {}\n1: x\n"))

    assert (problem.path, problem.line, problem.message) == ("1", 2, "unknown key '1'")


def test_environment_problems_name_the_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "hub: {port: 8080}")
    env = {"CROSSDOCK_HUB__PORT": "abc", "CROSSDOCK_HUB__PROT": "1"}

    problems = problems_of(path, env)

    assert {(p.path, p.env_var, p.line) for p in problems} == {
        ("hub.port", "CROSSDOCK_HUB__PORT", None),
        ("hub.prot", "CROSSDOCK_HUB__PROT", None),
    }
    assert str(problems[0]).startswith("environment variable CROSSDOCK_HUB__PORT: hub.port: ")


def test_unknown_variable_is_an_error(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path, ""), {"CROSSDOCK_HUBB__PORT": "1"})

    assert problem.env_var == "CROSSDOCK_HUBB__PORT"


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path / "absent.yaml")

    assert problem.file == str(tmp_path / "absent.yaml")
    assert "cannot read" in problem.message


def test_check_config_lists_problems(tmp_path: Path) -> None:
    assert check_config(EXAMPLE) == []
    assert [p.path for p in check_config(write(tmp_path, "hub: {prot: 1}"))] == ["hub.prot"]


def test_settings_built_directly_still_checks_references() -> None:
    route = {"name": "r", "when": {"document_type": "x"}, "deliver": {"endpoint": "nope"}}

    with pytest.raises(ValueError, match="unknown endpoint 'nope'"):
        Settings(routes=[route])  # type: ignore[list-item]


def test_partner_settings_are_cross_checked() -> None:
    """X12 partners: overrides compile, ack endpoints exist, sender IDs are unique, x12 routes
    name a partner with X12 settings."""
    from pydantic import ValidationError

    from crossdock.config import Settings

    base = {"endpoints": {"acme-edi": {"type": "folder", "path": "out"}}}
    good = Settings(
        **base,
        partners={"acme": {"x12": {"id": "ACME", "ack_endpoint": "acme-edi"}}},
        routes=[
            {
                "name": "po-to-acme",
                "when": {"document_type": "purchase_order"},
                "deliver": {"endpoint": "acme-edi", "transform": "x12", "partner": "acme"},
            }
        ],
    )
    assert good.partners["acme"].x12 is not None
    bad_cases = [
        ({"acme": {"x12": {"id": "ACME", "ack_endpoint": "nowhere"}}}, "unknown endpoint"),
        (
            {"acme": {"x12": {"id": "ACME"}}, "acme2": {"x12": {"id": "ACME"}}},
            "already belongs to partner 'acme'",
        ),
        (
            {"acme": {"x12": {"id": "ACME", "mapping": {"850": {"parties": {"nobody": {}}}}}}},
            "nobody",
        ),
        ({"acme": {"x12": {"id": "A" * 16}}}, "1 to 15 characters"),
        ({"acme": {"x12": {"id": "ACME", "delimiters": {"element": "~"}}}}, "must differ"),
    ]
    for partners, expected in bad_cases:
        try:
            Settings(**base, partners=partners)
        except ValidationError as exc:
            assert expected in str(exc), (expected, str(exc))
        else:
            raise AssertionError(f"accepted {partners}")
    for deliver, expected in [
        ({"endpoint": "acme-edi", "transform": "x12"}, "needs deliver.partner"),
        ({"endpoint": "acme-edi", "transform": "x12", "partner": "zed"}, "unknown partner"),
        ({"endpoint": "acme-edi", "partner": "acme"}, "only used with transform 'x12'"),
    ]:
        route = {"name": "r", "when": {"document_type": "purchase_order"}, "deliver": deliver}
        try:
            Settings(**base, partners={"acme": {"x12": {"id": "ACME"}}}, routes=[route])
        except ValidationError as exc:
            assert expected in str(exc), (expected, str(exc))
        else:
            raise AssertionError(f"accepted {deliver}")


def test_endpoint_retry_gives_up_by_age_by_default(tmp_path: Path) -> None:
    """Issue 10: an outage of hours must not turn into dead letters."""
    settings = load_settings(
        write(tmp_path, "endpoints:\n  erp: {type: http, url: 'http://erp.example/in'}\n"), env={}
    )
    retry = settings.endpoints["erp"].retry
    assert (retry.max_age_seconds, retry.max_attempts) == (3 * 86_400, None)


def test_an_old_config_with_max_attempts_still_loads_and_caps_attempts(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        endpoints:
          erp:
            type: http
            url: http://erp.example/in
            retry: {max_attempts: 10, initial_backoff_seconds: 0.5, max_backoff_seconds: 300}
            circuit: {failure_threshold: 5, reset_timeout_seconds: 30}
        """,
    )
    assert check_config(path) == []
    retry = load_settings(path, env={}).endpoints["erp"].retry
    assert (retry.max_attempts, retry.max_age_seconds) == (10, 3 * 86_400)
