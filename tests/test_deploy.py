"""The shipped production setup (deploy/, docs/deploy.md), run for real where this machine can.

Debian's nginx (`.ci/run` installs it) runs on loopback with deploy/nginx/yangguang.conf and its
snippet, only the four placeholders the file names replaced (port, name, root, upstream), in front
of the search service started by the command of the shipped systemd unit (real gunicorn), over the
sample site. Every answer is read raw (http.client: no redirect followed, repeated headers kept).

There is no Docker engine here: the Dockerfile and compose file are checked statically (the compose
file parses and names the Dockerfile's stages, every COPY source exists, the search image runs the
documented gunicorn command, the nginx image's substitutions hit lines of the shipped file).
"""

from __future__ import annotations

import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin

import pytest
import yaml
from lxml import html

from conftest import REPO, require
from search.service.http_headers import SECURITY_HEADERS

DEPLOY = REPO / "deploy"
NGINX_CONF = DEPLOY / "nginx" / "yangguang.conf"
SNIPPET = DEPLOY / "nginx" / "yangguang-search.conf"
UNIT = DEPLOY / "systemd" / "yangguang-search.service"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
NGINX = Path(shutil.which("nginx") or "/usr/sbin/nginx")
MIME_TYPES = Path("/etc/nginx/mime.types")  # Debian's, as its nginx.conf includes it
GUNICORN_COMMAND = "gunicorn -c python:search.service.gunicorn_conf search.service.wsgi:app"
Q = quote("审批")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, method: str = "GET") -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers={"Host": "www.example.gov.cn"})
        response = connection.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


def wait_for(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise RuntimeError(f"{what} exited: {err[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen within 30 s")


def warm_up(port: int) -> None:
    """Search until the service answers 200: a fresh worker opens the index on its first search."""
    deadline = time.monotonic() + 30
    while get(port, f"/api/search?q={Q}").status != 200:
        assert time.monotonic() < deadline, "the search service answered no search within 30 s"
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if process.stderr:
        process.stderr.close()


def replace_once(text: str, old: str, new: str) -> str:
    """Return `text` with the one directive line `old` (comments aside) replaced by `new`."""
    lines = text.splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if line.split("#", 1)[0].strip() == old]
    assert len(hits) == 1, f"the shipped file should have exactly one {old!r}"
    lines[hits[0]] = lines[hits[0]].replace(old, new)
    return "".join(lines)


def unit_settings() -> tuple[list[str], dict[str, str]]:
    """Return the ExecStart command and the Environment= values of the shipped systemd unit."""
    command: list[str] = []
    environment: dict[str, str] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if line.startswith("ExecStart="):
            command = shlex.split(line.removeprefix("ExecStart="))
        elif line.startswith("Environment="):
            name, _, value = line.removeprefix("Environment=").partition("=")
            environment[name] = value
    return command, environment


@dataclass(frozen=True)
class Deployment:
    port: int
    site: Path
    search_port: int
    error_log: Path
    gunicorn: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def deployed(sample_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    require(NGINX.is_file() and MIME_TYPES.is_file(), "nginx (Debian package nginx)")
    prefix = tmp_path_factory.mktemp("nginx")
    port, search_port = free_port(), free_port()
    command, environment = unit_settings()
    assert Path(command[0]).name == "gunicorn"
    environment |= {"SEARCH_SITE": str(sample_site), "SEARCH_BIND": f"127.0.0.1:{search_port}"}
    # gunicorn's control socket, in the unit's RuntimeDirectory=
    assert environment["XDG_RUNTIME_DIR"] == "/run/yangguang-search"
    (prefix / "run").mkdir()
    environment |= {"XDG_RUNTIME_DIR": str(prefix / "run"), "SEARCH_SLOT_DIR": str(prefix / "slots")}
    environment |= {"SEARCH_WORKERS": "1", "SEARCH_THREADS": "2"}
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *command[1:]],
        cwd=REPO,
        env={**os.environ, **environment, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    nginx: subprocess.Popen[bytes] | None = None
    try:
        wait_for(search_port, gunicorn, "gunicorn")
        warm_up(search_port)
        conf = NGINX_CONF.read_text(encoding="utf-8")
        conf = replace_once(conf, "listen 80;", f"listen 127.0.0.1:{port};")
        conf = replace_once(conf, "root /srv/yangguang/site;", f"root {sample_site};")
        conf = replace_once(conf, "server 127.0.0.1:8001;", f"server 127.0.0.1:{search_port};")
        (prefix / "snippets").mkdir()
        # the snippet's include is relative to the configuration's folder
        shutil.copy(SNIPPET, prefix / "snippets" / SNIPPET.name)
        (prefix / "yangguang.conf").write_text(conf, encoding="utf-8")
        temp = "\n".join(
            f"    {kind}_temp_path {prefix / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # root's workers would run as nobody, who cannot enter pytest's private temp folders
        user = "user root;\n" if os.geteuid() == 0 else ""
        (prefix / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} warn;\n"
            f"events {{ worker_connections 64; }}\n"
            f"http {{\n    include {MIME_TYPES};\n    default_type application/octet-stream;\n"
            f"    access_log {prefix / 'access.log'};\n{temp}\n    include {prefix / 'yangguang.conf'};\n}}\n",
            encoding="utf-8",
        )
        nginx = subprocess.Popen(
            [
                str(NGINX),
                "-p",
                str(prefix),
                "-e",
                str(prefix / "error.log"),
                "-c",
                str(prefix / "nginx.conf"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        wait_for(port, nginx, "nginx")
        yield Deployment(port, sample_site, search_port, prefix / "error.log", gunicorn)
    finally:
        if nginx is not None:
            stop(nginx)
        stop(gunicorn)


def assert_security_headers(answer: Answer, url: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        # once: nginx hides the service's own copy
        assert answer.all(name) == [value], (url, name, answer.all(name))
    assert answer.header("Server") == "nginx", url  # no version


def test_home_and_the_nav_s_search_link_answer(deployed: Deployment) -> None:
    home = get(deployed.port, "/")
    assert home.status == 200 and home.header("Content-Type") == "text/html; charset=utf-8"
    page = html.fromstring(home.text)
    links = [urljoin("/", href) for href in page.xpath('//nav//a[normalize-space()="检索"]/@href')]
    assert links == ["/search/"]
    # the earlier docs' nginx lines answered this 400 (检索服务只提供 /search/ 和 /api/search)
    search = get(deployed.port, links[0])
    assert search.status == 200, search.text[:300]
    assert html.fromstring(search.text).xpath('//form[@role="search"]')
    assert_security_headers(search, "/search/")


@pytest.mark.parametrize("mode", ["", "care/", "a11y/"])
def test_a_query_reaches_the_search_service_in_every_mode(deployed: Deployment, mode: str) -> None:
    answer = get(deployed.port, f"/{mode}search/?q={Q}")
    assert answer.status == 200
    page = html.fromstring(answer.text)
    assert page.xpath('//div[@id="search-results"]/@data-source') == [
        "server"
    ]  # the service's page, not the file
    if mode:  # the page of every mode, its links in the mode, the mode's look by a relative link
        assert "../mode.css" in page.xpath("//link[@rel='stylesheet']/@href")
    results = page.xpath('//div[@id="search-results"]//a[contains(@href, "records/")]/@href')
    assert results and all(href.startswith(f"/{mode}records/") for href in results)  # opened in the mode
    assert_security_headers(answer, f"/{mode}search/?q=")


def test_the_search_api_feed_and_suggestions_reach_the_service(deployed: Deployment) -> None:
    api = get(deployed.port, f"/api/search?q={Q}")
    assert api.status == 200 and api.header("Content-Type") == "application/json; charset=utf-8"
    assert b'"results"' in api.body
    assert_security_headers(api, "/api/search")
    empty = get(deployed.port, "/api/search.atom")
    # the service's own answer, passed on
    assert empty.status == 400 and "请输入检索词".encode() in empty.body
    assert_security_headers(empty, "/api/search.atom")
    feed = get(deployed.port, f"/api/search.atom?q={Q}")
    assert feed.status == 200 and (feed.header("Content-Type") or "").startswith("application/atom+xml")
    suggest = get(deployed.port, f"/api/suggest?q={quote('国务')}")
    assert suggest.status == 200 and (suggest.header("Content-Type") or "").startswith("application/json")


def test_a_folder_without_its_slash_redirects_on_the_same_host(deployed: Deployment) -> None:
    folder = next(p for p in sorted((deployed.site / "records").iterdir()) if p.is_dir())
    answer = get(deployed.port, f"/records/{folder.name}")
    # a relative Location: right behind any TLS proxy, on any port
    assert (answer.status, answer.header("Location")) == (301, f"/records/{folder.name}/")
    assert_security_headers(answer, "/records/x")


def test_a_missing_page_is_the_site_s_404_page(deployed: Deployment) -> None:
    for url in ("/no-such-page/", "/records/no-such-record/", "/api/nothing"):
        answer = get(deployed.port, url)
        assert answer.status == 404, url
        assert answer.body == (deployed.site / "404.html").read_bytes(), url
        assert_security_headers(answer, url)


def test_a_page_is_served_in_both_modes_from_one_file(deployed: Deployment) -> None:
    care, a11y = (deployed.site / mode / "catalog" / "index.html" for mode in ("care", "a11y"))
    assert care.samefile(a11y)
    for mode in ("care", "a11y"):
        answer = get(deployed.port, f"/{mode}/catalog/")
        assert answer.status == 200 and answer.body == care.read_bytes()
    answer = get(deployed.port, "/care/no-such-page/")  # the site's 404 page, whose links are absolute
    assert answer.status == 404 and answer.body == (deployed.site / "404.html").read_bytes()


@pytest.mark.parametrize(
    "url",
    [
        "/.build/pages.json",
        "/.build/",
        "/.search/search.json",
        "/.search/",
        "/.search/page.html",
        "/.yangguang-site",
        "/%2ebuild/pages.json",
        "/%2Esearch/search.json",
        "/records/.x",
        "/.site-cache/",
        "/.site.lock",
        "/static/.hidden",
        "/.git/config",
    ],
)
def test_build_internals_are_not_served(deployed: Deployment, url: str) -> None:
    assert (deployed.site / ".build" / "pages.json").is_file() and (
        deployed.site / ".search" / "search.json"
    ).is_file()
    answer = get(deployed.port, url)
    assert answer.status == 404, (url, answer.status)
    assert answer.body == (deployed.site / "404.html").read_bytes()
    assert_security_headers(answer, url)


def test_files_are_served_with_their_types(deployed: Deployment) -> None:
    record = next(p for p in sorted((deployed.site / "records").glob("*/flowchart.svg")))
    expected = {
        "/data/records.csv": "text/csv; charset=utf-8",
        "/data/records.json": "application/json; charset=utf-8",
        "/data/index.json": "application/json; charset=utf-8",
        "/feeds/all.xml": "text/xml; charset=utf-8",
        "/feeds/all.atom": "application/atom+xml; charset=utf-8",
        "/sitemap.xml": "text/xml; charset=utf-8",
        "/robots.txt": "text/plain; charset=utf-8",
        "/static/site.css": "text/css; charset=utf-8",
        "/care/mode.css": "text/css; charset=utf-8",
        "/a11y/mode.css": "text/css; charset=utf-8",
        "/static/search.js": "application/javascript; charset=utf-8",
        f"/{record.parent.relative_to(deployed.site)}/flowchart.svg": "image/svg+xml; charset=utf-8",
        "/apply/application-form.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "/404.html": "text/html; charset=utf-8",
    }
    if (deployed.site / "opensearch.xml").is_file():  # the browsers' site search, once the build writes it
        expected["/opensearch.xml"] = "application/opensearchdescription+xml; charset=utf-8"
    for url, kind in expected.items():
        answer = get(deployed.port, url)
        assert (answer.status, answer.header("Content-Type")) == (200, kind), url
        assert answer.body == (deployed.site / url.lstrip("/")).read_bytes(), url
        assert_security_headers(answer, url)
    # an attachment's CSV is the file as uploaded, in whatever encoding: typed, no charset claimed
    attachment = next(p for p in sorted((deployed.site / "records").glob("*/*.csv")))
    answer = get(deployed.port, f"/{attachment.relative_to(deployed.site)}")
    assert (answer.status, answer.header("Content-Type")) == (200, "text/csv")


def test_the_search_page_falls_back_to_the_static_one_when_the_service_is_down(deployed: Deployment) -> None:
    # last: it stops the service (module fixture)
    stop(deployed.gunicorn)
    answer = get(deployed.port, "/search/")
    assert answer.status == 200
    # the frozen page: search.js searches the static index
    assert answer.body == (deployed.site / "search" / "index.html").read_bytes()
    assert_security_headers(answer, "/search/ (service down)")
    care = get(deployed.port, f"/care/search/?q={Q}")
    assert care.status == 200 and care.body == (deployed.site / "care" / "search" / "index.html").read_bytes()
    assert get(deployed.port, f"/api/search?q={Q}").status == 502  # an API client learns the service is down


# --------------------------------------------------------------------------- static checks


def test_the_nginx_configuration_sends_the_headers_of_the_other_servers() -> None:
    conf = NGINX_CONF.read_text(encoding="utf-8")
    sent = re.findall(r'^\s*add_header (\S+) "([^"]*)" always;', conf, flags=re.M)
    assert dict(sent) == dict(SECURITY_HEADERS)  # the preview and the search service send these
    # one add_header in a location would drop all of these there: only the server block has them
    assert len(re.findall(r"^\s*add_header", conf, flags=re.M)) == len(SECURITY_HEADERS)
    hidden = re.findall(r"^proxy_hide_header (\S+);", SNIPPET.read_text(encoding="utf-8"), flags=re.M)
    assert sorted(hidden) == sorted(SECURITY_HEADERS)


def test_the_systemd_unit_and_the_docs_run_the_documented_gunicorn_command() -> None:
    command, environment = unit_settings()
    assert (
        command[0].endswith("/.venv/bin/gunicorn")
        and " ".join(["gunicorn", *command[1:]]) == GUNICORN_COMMAND
    )
    assert environment["SEARCH_SITE"] == "/srv/yangguang/site"  # the root of the nginx file
    assert f"root {environment['SEARCH_SITE']};" in NGINX_CONF.read_text(encoding="utf-8")
    assert f"server {environment['SEARCH_BIND']};" in NGINX_CONF.read_text(encoding="utf-8")
    docs = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert GUNICORN_COMMAND in docs
    verify = shutil.which("systemd-analyze")
    if verify:  # the unit parses; only the gunicorn of the example path is missing on this machine
        out = subprocess.run([verify, "verify", str(UNIT)], capture_output=True, text=True, check=False)
        problems = [
            line
            for line in (out.stdout + out.stderr).splitlines()
            if line.strip() and "is not executable" not in line
        ]
        assert problems == []


def dockerfile_stages() -> dict[str, list[tuple[str, str]]]:
    """Return each stage's instructions (name, arguments), continuation lines joined."""
    stages: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for line in re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8")).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, rest = line.strip().partition(" ")
        if name.upper() == "FROM":
            current = []
            stages[rest.split(" AS ")[-1].strip()] = current
        current.append((name.upper(), rest.strip()))
    return stages


def test_the_compose_file_builds_the_dockerfile_s_stages() -> None:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    stages = dockerfile_stages()
    assert set(compose["services"]) == {"web", "search"}
    for name, service in compose["services"].items():
        context = (COMPOSE.parent / service["build"]["context"]).resolve()
        assert context == REPO
        assert (context / service["build"]["dockerfile"]).resolve() == DOCKERFILE
        assert service["build"]["target"] == name and name in stages
    assert compose["services"]["web"]["depends_on"] == ["search"]
    published = compose["services"]["web"]["ports"][0]
    assert published.startswith("127.0.0.1:") and published.endswith(":80")


def test_the_dockerfile_copies_what_exists_and_runs_the_documented_commands() -> None:
    stages = dockerfile_stages()
    for stage, instructions in stages.items():
        for name, rest in instructions:
            if name == "COPY" and not rest.startswith("--from="):
                *sources, _target = rest.split()
                for source in sources:
                    assert (REPO / source).exists(), (stage, source)
            if name == "COPY" and rest.startswith("--from="):
                assert rest.split()[0].removeprefix("--from=") in stages
    cmd = [rest for name, rest in stages["search"] if name == "CMD"]
    # exec form (a JSON list), the unit's command
    assert len(cmd) == 1 and " ".join(yaml.safe_load(cmd[0])) == GUNICORN_COMMAND
    env = " ".join(rest for name, rest in stages["search"] if name == "ENV")
    assert "SEARCH_SITE=/srv/yangguang/site" in env and "SEARCH_BIND=0.0.0.0:8001" in env
    built = [rest for name, rest in stages["site"] if name == "RUN"]
    assert built == ["python build.py build --content content --output /srv/yangguang/site"]
    # the web image edits the shipped nginx file with sed: each edit must hit a line of it
    conf = NGINX_CONF.read_text(encoding="utf-8")
    edits = [
        e
        for name, rest in stages["web"]
        if name == "RUN" and "sed" in rest
        for e in re.findall(r"-e 's\|([^|]*)\|([^|]*)\|'", rest)
    ]
    assert {old for old, _ in edits} == {"server 127.0.0.1:8001;", "server_name www.example.gov.cn;"}
    for old, new in edits:
        assert replace_once(conf, old, new) != conf, old
    # the extra the app stage installs exists and brings gunicorn; what pip reads to install is copied first
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    project = tomllib.loads(pyproject)
    copied = [src for name, rest in stages["app"] if name == "COPY" for src in rest.split()[:-1]]
    needed = ["pyproject.toml", project["project"]["readme"], *project["tool"]["setuptools"]["py-modules"]]
    needed = [n if n.endswith((".toml", ".md")) else f"{n}.py" for n in needed]
    needed += [p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    assert [n for n in needed if n not in copied] == []
    assert re.search(r'^deploy = \["gunicorn==[\d.]+"\]', pyproject, flags=re.M)
    assert any(name == "RUN" and rest == "pip install -e '.[deploy]'" for name, rest in stages["app"])
