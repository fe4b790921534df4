from pathlib import Path

from rackdinero_app import PROJECT_ROOT
from rackdinero_app import create_app


def test_testing_config_is_applied(app):
    assert app.testing
    assert app.config["ENV"] == "test"


def test_templates_live_at_the_repository_top_level(app):
    assert Path(app.template_folder) == PROJECT_ROOT / "templates"


def test_every_surface_is_registered(app):
    assert sorted(app.blueprints) == [
        "dinero_sign_in",
        "embedded",
        "health",
        "install",
        "support",
        "webhooks",
    ]
    prefixes = {rule.rule.split("/")[1] for rule in app.url_map.iter_rules()}
    assert prefixes == {
        "dinero-sign-in",
        "embedded",
        "healthz",
        "install",
        "static",
        "support",
        "webhooks",
    }


def test_unknown_url_answers_json_without_a_stack_trace(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.json["error"] == "Not Found"
    assert "Traceback" not in response.get_data(as_text=True)


def test_unexpected_error_is_a_plain_500(app_config, redis):
    app = create_app({**app_config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: api key 1234")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body
    assert "Traceback" not in body
