"""The shipped nginx site in front of gunicorn, on free local ports with a throwaway
certificate: what an operator gets by following the README."""

import gzip
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, free_ports

pytestmark = pytest.mark.deploy  # on SQLite only: the database does not matter here

HOST = "commitments.test"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SH = shutil.which("sh") or "/bin/sh"
# The client connects from a loopback address of its own, so that the address the site
# sees can be told apart from nginx's (127.0.0.1).
CLIENT_ADDRESS = "127.0.0.2"


def replace(text: str, old: str, new: str) -> str:
    assert old in text, f"the site file no longer has {old!r}: update this test"
    return text.replace(old, new)


class Site:
    """gunicorn with deploy/gunicorn.conf.py and nginx with deploy/nginx/tracker.conf."""

    def __init__(self, work: Path):
        self.work = work
        self.http_port, self.https_port, self.app_port = free_ports(3)
        self.env_file = work / "tracker.env"
        self.database = work / "db.sqlite3"
        self.settings = {
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
            "DJANGO_PROXY_COUNT": "1",
            "SQLITE_PATH": str(self.database),
            "DJANGO_STATIC_ROOT": str(work / "static"),
            "TRACKER_DOWNLOADS_DIR": str(work / "downloads"),
            "TRACKER_BACKUP_DIR": str(work / "backups"),
            "GUNICORN_BIND": f"127.0.0.1:{self.app_port}",
            "TRACKER_RELEASE": "release-1",
        }
        self.write_env_file()
        self.environment = {"PATH": os.environ["PATH"], "TRACKER_ENV_FILE": str(self.env_file)}

    def write_env_file(self):
        lines = [f"{name}='{value}'" for name, value in self.settings.items()]
        self.env_file.write_text("\n".join(lines) + "\n")
        self.env_file.chmod(0o640)

    def manage(self, *arguments):
        result = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT, env=self.environment, capture_output=True, text=True,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout

    def nginx_config(self) -> Path:
        site = (ROOT / "deploy" / "nginx" / "tracker.conf").read_text()
        for port, free in ((80, self.http_port), (443, self.https_port)):
            site, count = re.subn(rf"listen (\[::\]:)?{port}\b", rf"listen \g<1>{free}", site)
            assert count == 4, f"the site file has {count} listen lines for port {port}, not 4"
        site = replace(site, "server 127.0.0.1:8000;", f"server 127.0.0.1:{self.app_port};")
        site = replace(site, "server_name commitments.example.org;", f"server_name {HOST};")
        site = replace(site, "/etc/tracker/tls", str(self.work / "tls"))
        site = replace(site, "root /var/www/certbot;", f"root {self.work / 'webroot'};")
        (self.work / "site.conf").write_text(site)
        main = self.work / "nginx.conf"
        temporary = self.work / "nginx-temp"
        temporary.mkdir()
        main.write_text(
            f"""
            {"user root;" if os.geteuid() == 0 else ""}
            worker_processes 1;
            daemon off;
            pid {self.work}/nginx.pid;
            error_log {self.work}/nginx-error.log warn;
            events {{ worker_connections 256; }}
            http {{
                include /etc/nginx/mime.types;
                default_type application/octet-stream;
                access_log {self.work}/nginx-access.log;
                client_body_temp_path {temporary}/body;
                proxy_temp_path {temporary}/proxy;
                fastcgi_temp_path {temporary}/fastcgi;
                uwsgi_temp_path {temporary}/uwsgi;
                scgi_temp_path {temporary}/scgi;
                include {self.work}/site.conf;
            }}
            """
        )
        return main

    def start(self):
        self.manage("migrate", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("import_commitments", str(FIXTURES))
        subprocess.run(
            [SH, str(ROOT / "deploy" / "first-certificate.sh"), HOST, str(self.work / "tls")],
            check=True, capture_output=True,
        )  # fmt: skip
        (self.work / "webroot" / ".well-known" / "acme-challenge").mkdir(parents=True)
        (self.work / "webroot" / ".well-known" / "acme-challenge" / "token-1").write_text("ok-1")
        self.gunicorn_log = (self.work / "gunicorn.log").open("w")
        self.gunicorn = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", "deploy/gunicorn.conf.py",
             "config.wsgi"],
            cwd=ROOT, env=self.environment, stdout=self.gunicorn_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        config = self.nginx_config()
        self.nginx_test = subprocess.run(
            [NGINX, "-t", "-c", str(config)], capture_output=True, text=True
        )
        self.nginx = subprocess.Popen([NGINX, "-c", str(config)], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        nginx_log = self.work / "nginx-error.log"
        raise AssertionError(
            f"the site did not come up.\nnginx -t: {self.nginx_test.stderr}\nnginx: "
            f"{nginx_log.read_text() if nginx_log.exists() else ''}\ngunicorn: {self.log()}"
        )

    def stop(self):
        for process in (getattr(self, "nginx", None), getattr(self, "gunicorn", None)):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        if hasattr(self, "gunicorn_log"):
            self.gunicorn_log.close()

    def log(self) -> str:
        return (self.work / "gunicorn.log").read_text()

    def tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.work / "tls" / "fullchain.pem"))
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def connect(self, tls=True, server_name=HOST, family=socket.AF_INET):
        address = ("::1" if family == socket.AF_INET6 else "127.0.0.1",
                   self.https_port if tls else self.http_port)  # fmt: skip
        raw = socket.socket(family)
        raw.settimeout(30)
        if family == socket.AF_INET:
            raw.bind((CLIENT_ADDRESS, 0))
        raw.connect(address)
        if not tls:
            return raw
        return self.tls_context().wrap_socket(raw, server_hostname=server_name)

    def get(self, path, *, tls=True, headers=None, method="GET", body=None, host=HOST, **kw):
        connection = http.client.HTTPConnection(host, timeout=30)
        connection.sock = self.connect(tls=tls, **kw)
        connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        response.body = response.read()
        connection.close()
        return response


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (scripts/run-tests.sh installs nginx-light)")
    running = Site(tmp_path_factory.mktemp("deploy"))
    try:
        running.start()
        yield running
    finally:
        running.stop()


def test_nginx_accepts_the_site_file_without_a_warning(site):
    assert site.nginx_test.returncode == 0, site.nginx_test.stderr
    assert "test is successful" in site.nginx_test.stderr
    assert "[warn]" not in site.nginx_test.stderr


def test_https_answers_with_the_certificate_and_hsts(site):
    with site.connect() as tls:
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
        assert tls.getpeercert()["subject"] == ((("commonName", HOST),),)
    response = site.get("/")
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security").startswith("max-age=")


def test_ipv6_is_served_too(site):
    response = site.get("/healthz", family=socket.AF_INET6)
    assert response.status == 200


def test_http_redirects_to_https_except_certbot_s_challenge(site):
    response = site.get("/commitments/?q=%E7%96%AB%E8%8B%97", tls=False)
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/commitments/?q=%E7%96%AB%E8%8B%97"
    challenge = site.get("/.well-known/acme-challenge/token-1", tls=False)
    assert (challenge.status, challenge.body) == (200, b"ok-1")


def test_other_host_names_get_nothing(site):
    with pytest.raises((ssl.SSLError, ConnectionError)):
        site.get("/", server_name="other.example", host="other.example")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        site.get("/", tls=False, host="other.example")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html"),
        ("/commitments/", "text/html"),
        ("/commitments.json", "application/json"),
        ("/commitments.csv", "text/csv"),
        ("/feed/", "application/atom+xml"),
    ],
)
def test_text_is_gzipped_with_vary(site, path, content_type):
    plain = site.get(path)
    assert plain.status == 200
    assert plain.getheader("Content-Type").startswith(content_type)
    assert plain.getheader("Content-Encoding") is None
    zipped = site.get(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.getheader("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in ", ".join(
        value for name, value in zipped.getheaders() if name.lower() == "vary"
    )
    assert gzip.decompress(zipped.body) == plain.body
    assert len(zipped.body) < len(plain.body) / 2


def test_a_page_with_a_csrf_token_is_not_gzipped_by_nginx_either(site):
    response = site.get("/admin/login/", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") is None
    assert b"csrfmiddlewaretoken" in response.body


def test_the_limits_see_the_client_s_address_not_nginx_s_nor_a_forged_one(site):
    form = site.get("/admin/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body).group(1)
    cookie = form.getheader("Set-Cookie").split(";", 1)[0]
    response = site.get(
        "/admin/login/?next=/admin/",
        method="POST",
        body=b"username=nobody-" + secrets.token_hex(4).encode() + b"&password=wrong"
        b"&csrfmiddlewaretoken=" + token,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Origin": f"https://{HOST}",
            "X-Forwarded-For": "198.51.100.66",
        },
    )
    assert response.status == 200  # the form again, with an error
    with sqlite3.connect(site.database) as database:
        addresses = {
            row[0] for row in database.execute("SELECT ip_address FROM axes_accessattempt")
        }
    assert addresses == {CLIENT_ADDRESS}
    assert re.search(rf"AXES: New login failure by .*ip_address: \"{CLIENT_ADDRESS}\"", site.log())
    access_line = rf"^{re.escape(CLIENT_ADDRESS)} .* \"POST /admin/login/"
    deadline = time.monotonic() + 10  # gunicorn logs the access once the response is sent
    while not re.search(access_line, site.log(), re.MULTILINE):
        assert time.monotonic() < deadline, site.log()
        time.sleep(0.1)


def under_load(site, paths=("/", "/commitments/", "/", "/commitments/")):
    """Run readers until the block ends; return the list of their results."""

    class Load:
        def __enter__(self):
            self.results, self.stop = [], threading.Event()
            self.readers = [threading.Thread(target=self.read, args=(p,)) for p in paths]
            for thread in self.readers:
                thread.start()
            time.sleep(1)
            return self.results

        def read(self, path):
            while not self.stop.is_set():
                try:
                    self.results.append(site.get(path).status)
                except OSError as error:
                    self.results.append(repr(error))

        def __exit__(self, *exc):
            self.stop.set()
            for thread in self.readers:
                thread.join()

    return Load()


def commitments_listed(site) -> int:
    return site.get("/commitments.json").body.count(b'"id":')


def test_a_restore_while_the_site_runs_serves_the_backup_s_data(site):
    backed_up = commitments_listed(site)
    out = site.manage("backup_database")
    backup = re.search(r"backed up to (\S+) ", out).group(1)
    assert oct(Path(backup).stat().st_mode & 0o777) == "0o600"
    site.manage(
        "shell", "-c", "from tracker.core.models import Commitment as C; C.objects.last().delete()"
    )
    assert commitments_listed(site) == backed_up - 1
    with under_load(site) as results:
        site.manage("restore_database", backup, "--noinput")
        time.sleep(1)
    errors = [result for result in results if result != 200]
    print(f"restore under load: {len(results)} requests, {len(errors)} errors")
    assert errors == []
    assert commitments_listed(site) == backed_up


def test_an_upgrade_and_a_reload_under_load_lose_no_request(site):
    """The README's upgrade: migrate, collectstatic, a changed configuration, then the
    unit's ExecReload, while readers keep asking."""
    before = site.get("/")
    assert before.getheader("Strict-Transport-Security").startswith("max-age=31536000")
    with under_load(site) as results:
        site.manage("migrate", "-v0")
        site.manage("collectstatic", "--noinput", "-v0")
        site.settings |= {"TRACKER_RELEASE": "release-2", "DJANGO_HSTS_SECONDS": "600"}
        site.write_env_file()
        reload = (ROOT / "deploy" / "systemd" / "tracker.service").read_text()
        assert "ExecReload=/bin/kill -s HUP $MAINPID" in reload
        os.kill(site.gunicorn.pid, signal.SIGHUP)
        deadline = time.monotonic() + 60
        while (
            site.get("/").getheader("Strict-Transport-Security")
            != "max-age=600; includeSubDomains; preload"
        ):
            assert time.monotonic() < deadline, site.log()
            time.sleep(0.2)
        time.sleep(1)
    errors = [result for result in results if result != 200]
    print(f"reload under load: {len(results)} requests, {len(errors)} errors")
    assert len(results) > 20
    assert errors == []
    after = site.get("/", headers={"If-None-Match": before.getheader("ETag")})
    assert after.status == 200  # the release changed: no 304 for the old page
    assert "Handling signal: hup" in site.log()


def test_healthz_through_nginx_is_never_cached(site):
    response = site.get("/healthz")
    assert response.status == 200
    assert b'"status": "ok"' in response.body
    assert "no-store" in response.getheader("Cache-Control")
