"""The web foundation: log-in, language, headers, CSRF, migrations before serving."""
import re

import pytest

from web import create_app
from web.db import DatabaseBehind


def test_login_and_role_home(client, login):
    assert client.get("/").status_code == 200
    login(client, "orchard")
    assert client.get("/").headers["Location"].endswith("/producer/")


def test_wrong_password_is_refused_without_saying_which(client):
    wrong_user = client.post("/login", data={"username": "nobody", "password": "x" * 12})
    wrong_password = client.post("/login", data={"username": "orchard", "password": "x" * 12})
    assert wrong_user.status_code == wrong_password.status_code == 401
    # the pages are the same but for the CSRF token, which is signed with a timestamp (two
    # requests either side of a second boundary get different tokens)
    assert _without_csrf(wrong_user) == _without_csrf(wrong_password)


def _without_csrf(response) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"',
                  response.get_data(as_text=True))


def test_login_never_redirects_off_site(client):
    response = client.post("/login?next=//evil.example/x",
                           data={"username": "orchard", "password": "correct horse battery"})
    assert response.headers["Location"].endswith("/producer/")


def test_chinese_by_default_english_on_request(client):
    assert "登录" in client.get("/login").get_data(as_text=True)
    client.get("/lang/en")
    page = client.get("/login").get_data(as_text=True)
    assert "Log in" in page and "登录" not in page


def test_security_headers(client):
    headers = client.get("/login").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(tmp_path, service):
    app = create_app({"FOOTPRINT_HOME": str(service.home)})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    client = app.test_client()
    response = client.post("/login", data={"username": "orchard",
                                           "password": "correct horse battery"})
    assert response.status_code == 400  # no CSRF token: refused
    login_page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = login_page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": "orchard", "csrf_token": token,
                                           "password": "correct horse battery"},
                           base_url="https://localhost",
                           headers={"Referer": "https://localhost/login"})  # strict over HTTPS
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_refuses_to_serve_an_unmigrated_database(tmp_path):
    with pytest.raises(DatabaseBehind, match="footprint db migrate"):
        create_app({"FOOTPRINT_HOME": str(tmp_path)})


def test_logout_needs_post(clients):
    client = clients["orchard"]
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/producer/").status_code in (302, 401)
