#!/usr/bin/env python3
"""Checks of the container deployment in docker/ (one ctest entry per subcommand).

  check_deploy.py --source REPO compose
      compose.yaml is valid YAML, passes docker-compose's schema check (`config -q`), and
      is consistent with the repository: build context and Dockerfile exist, every
      bind-mounted host path exists, named volumes are declared, host ports are unique, depends_on names exist (service_healthy only on services
      with a health check), images carry explicit tags, and the hosts that
      prometheus.yml, the Grafana datasource and sentistream.toml point at are services.
  check_deploy.py --source REPO dashboard
      the Grafana dashboard JSON: unique panel ids, a datasource and targets with
      expressions on every panel, provisioning that points at the mounted folder.
  check_deploy.py --source REPO --bin SENTISTREAM scrape
      every sentistream_* metric named in the dashboard and in alerts.yml exists in a
      real /metrics scrape of the binary (replay on a FIFO kept open, with
      --metrics-listen), and docker/healthcheck.sh passes against its /healthz.
      Exit 77 (skip) only when `sentistream replay --help` has no --metrics-listen.
  check_deploy.py --source REPO --bin SENTISTREAM config
      `sentistream validate` accepts docker/sentistream.toml (skip 77 while the binary
      has no live mode, `run`, whose [kafka] options the file sets).

Exit codes: 0 pass, 1 failure (every problem is printed, not just the first), 77 skipped.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SKIP = 77

try:
    import yaml
except ImportError:  # scripts/setup installs python3-yaml
    yaml = None


class Problems:
    """Collects every problem so one run reports all of them."""

    def __init__(self):
        self.items = []

    def add(self, msg):
        self.items.append(msg)

    def check(self, cond, msg):
        if not cond:
            self.add(msg)
        return cond

    def finish(self, what):
        for p in self.items:
            print(f"FAIL {what}: {p}", file=sys.stderr)
        if self.items:
            return 1
        print(f"ok {what}")
        return 0


def load_yaml(path):
    if yaml is None:
        sys.exit("PyYAML is missing: run scripts/setup (python3-yaml)")
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


# ---- compose ----------------------------------------------------------------------------

IMAGE_RE = re.compile(r"^[a-z0-9]+([._/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$")
DEPENDS_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


def parse_port(spec):
    """'9090:9090', '127.0.0.1:9090:9090/tcp' or {'published':..} -> (host_port, container_port)."""
    if isinstance(spec, dict):
        return str(spec.get("published", "")), str(spec.get("target", ""))
    parts = str(spec).split("/")[0].split(":")
    if len(parts) == 1:
        return None, parts[0]
    return parts[-2], parts[-1]


def check_compose_schema(doc, docker_dir, p):
    """The Compose file schema, checked by Debian's docker-compose (v1.29, no engine needed
    for `config`). v1 predates the top-level `name` key of the Compose Specification, so
    that key is left out of the copy it checks."""
    exe = shutil.which("docker-compose")
    if not p.check(exe, "docker-compose not found (schema check): run scripts/setup"):
        return
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
        yaml.safe_dump({k: v for k, v in doc.items() if k != "name"}, f)
        f.flush()
        r = subprocess.run([exe, "-f", f.name, "--project-directory", docker_dir, "config", "-q"],
                           capture_output=True, text=True)
    p.check(r.returncode == 0, f"docker-compose config rejects compose.yaml: {r.stderr.strip()}")


def check_compose(src):
    docker_dir = os.path.join(src, "docker")
    path = os.path.join(docker_dir, "compose.yaml")
    p = Problems()
    try:
        doc = load_yaml(path)
    except yaml.YAMLError as e:
        p.add(f"compose.yaml is not valid YAML: {e}")
        return p.finish("compose")
    services = doc.get("services") or {}
    p.check(isinstance(services, dict) and services, "no services")
    declared_volumes = set((doc.get("volumes") or {}).keys())
    used_volumes = set()
    host_ports = {}
    built_images = {s.get("image") for s in services.values() if s.get("build")}

    for name, svc in services.items():
        where = f"service {name}"
        image, build = svc.get("image"), svc.get("build")
        p.check(image or build, f"{where}: neither image nor build")
        if image:
            p.check(IMAGE_RE.match(image), f"{where}: image '{image}' needs an explicit tag")
            p.check(not image.endswith(":latest"), f"{where}: image '{image}' uses :latest")
        if build:
            ctx = build if isinstance(build, str) else build.get("context", ".")
            ctx_dir = os.path.normpath(os.path.join(docker_dir, ctx))
            dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
            p.check(os.path.isdir(ctx_dir), f"{where}: build context {ctx} does not exist")
            p.check(os.path.isfile(os.path.join(ctx_dir, dockerfile)),
                    f"{where}: dockerfile {dockerfile} not found in context {ctx}")
        for vol in svc.get("volumes") or []:
            source = vol.split(":")[0] if isinstance(vol, str) else vol.get("source", "")
            if source.startswith((".", "/")):
                host = os.path.normpath(os.path.join(docker_dir, source))
                p.check(os.path.exists(host), f"{where}: bind mount source {source} does not exist")
                p.check(not source.startswith("/"), f"{where}: absolute host path {source}")
            else:
                used_volumes.add(source)
                p.check(source in declared_volumes, f"{where}: volume '{source}' not declared")
        for spec in svc.get("ports") or []:
            host, _ = parse_port(spec)
            if host:
                p.check(host not in host_ports,
                        f"{where}: host port {host} already published by {host_ports.get(host)}")
                host_ports[host] = name
        deps = svc.get("depends_on") or {}
        if isinstance(deps, list):
            deps = {d: {"condition": "service_started"} for d in deps}
        for dep, opts in deps.items():
            if not p.check(dep in services, f"{where}: depends_on unknown service '{dep}'"):
                continue
            cond = (opts or {}).get("condition", "service_started")
            p.check(cond in DEPENDS_CONDITIONS, f"{where}: unknown depends_on condition '{cond}'")
            if cond == "service_healthy":
                p.check("healthcheck" in services[dep],
                        f"{where}: waits for {dep} to be healthy but {dep} has no healthcheck")
        # A service running the locally built image needs some service that builds it.
        if image and image in built_images:
            pass
        elif image and image.startswith("sentistream"):
            p.add(f"{where}: image {image} is built by no service")
    p.check(not (declared_volumes - used_volumes),
            f"volumes declared but unused: {sorted(declared_volumes - used_volumes)}")
    check_compose_schema(doc, docker_dir, p)

    # The files the services read must agree with the service names and ports.
    prom = load_yaml(os.path.join(docker_dir, "prometheus.yml"))
    for rf in prom.get("rule_files") or []:
        p.check(os.path.isfile(os.path.join(docker_dir, rf)), f"prometheus.yml: rule file {rf} missing")
    prom_mounts = " ".join(str(v) for v in services.get("prometheus", {}).get("volumes") or [])
    for rf in prom.get("rule_files") or []:
        p.check(f"./{rf}:/etc/prometheus/{rf}" in prom_mounts,
                f"prometheus.yml: rule file {rf} is not mounted next to the config in the container")
    for job in prom.get("scrape_configs") or []:
        for sc in job.get("static_configs") or []:
            for target in sc.get("targets") or []:
                host, _, port = target.rpartition(":")
                if host == "localhost":
                    continue
                if p.check(host in services, f"prometheus.yml: target {target} is not a service"):
                    cmd = " ".join(str(c) for c in services[host].get("command") or [])
                    listens = f":{port}" in cmd or any(
                        parse_port(s)[1] == port for s in services[host].get("ports") or [])
                    p.check(listens, f"prometheus.yml: service {host} does not listen on {port}")
    ds = load_yaml(os.path.join(docker_dir, "grafana", "provisioning", "datasources", "prometheus.yaml"))
    for d in ds.get("datasources") or []:
        m = re.match(r"https?://([^:/]+)", d.get("url", ""))
        p.check(m and m.group(1) in services, f"grafana datasource url {d.get('url')} is not a service")

    with open(os.path.join(docker_dir, "sentistream.toml"), encoding="utf-8") as f:
        toml_text = f.read()
    for server in re.findall(r'"bootstrap\.servers"\s*=\s*"([^"]+)"', toml_text):
        for hostport in server.split(","):
            p.check(hostport.split(":")[0] in services,
                    f"sentistream.toml: bootstrap server {hostport} is not a service")
    loader_inputs = [c for c in services.get("loader", {}).get("command") or [] if c.startswith("/usr/share/sentistream/examples/")]
    for c in loader_inputs:
        rel = os.path.join(src, "examples", c.rsplit("/", 1)[1])
        p.check(os.path.isfile(rel), f"loader input {c} is not in examples/ (copied to the image)")
    return p.finish("compose")


# ---- dashboard ---------------------------------------------------------------------------

METRIC_RE = re.compile(r"\bsentistream_[a-z_]+")


def base_name(name):
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def dashboard_exprs(src):
    with open(os.path.join(src, "docker", "grafana", "dashboards", "sentistream.json"), encoding="utf-8") as f:
        dash = json.load(f)
    exprs = [t.get("expr", "") for pnl in dash.get("panels", []) for t in pnl.get("targets", [])]
    for var in dash.get("templating", {}).get("list", []):
        q = var.get("query")
        exprs.append(q.get("query", "") if isinstance(q, dict) else str(q or ""))
    return dash, exprs


def check_dashboard(src):
    p = Problems()
    try:
        dash, _ = dashboard_exprs(src)
    except json.JSONDecodeError as e:
        p.add(f"sentistream.json is not valid JSON: {e}")
        return p.finish("dashboard")
    panels = dash.get("panels", [])
    p.check(dash.get("uid"), "dashboard has no uid")
    ids = [pnl.get("id") for pnl in panels]
    p.check(len(ids) == len(set(ids)), f"duplicate panel ids: {sorted(i for i in ids if ids.count(i) > 1)}")
    ds_uids = {d.get("uid") for d in load_yaml(os.path.join(
        src, "docker", "grafana", "provisioning", "datasources", "prometheus.yaml")).get("datasources", [])}
    graph_panels = 0
    for pnl in panels:
        if pnl.get("type") == "row":
            continue
        graph_panels += 1
        title = pnl.get("title", f"panel {pnl.get('id')}")
        p.check(pnl.get("gridPos"), f"{title}: no gridPos")
        ds = pnl.get("datasource") or {}
        p.check(ds.get("uid") in ds_uids, f"{title}: datasource {ds} is not a provisioned one")
        targets = pnl.get("targets") or []
        p.check(targets, f"{title}: no targets")
        for t in targets:
            expr = t.get("expr", "")
            p.check(METRIC_RE.search(expr), f"{title}: target {t.get('refId')} names no sentistream metric")
            p.check(expr.count("(") == expr.count(")"), f"{title}: unbalanced parentheses in {expr}")
    p.check(graph_panels >= 10, f"only {graph_panels} panels")
    # Every panel group the deployment promises.
    text = json.dumps(dash)
    for needed in ("window_sentiment_mean", "window_marker_rate", "posts_parsed_total",
                   "posts_rejected_total", "consumer_lag_messages", "watermark_lag_seconds",
                   "stage_duration_seconds_bucket", "end_to_end_latency_seconds",
                   "checkpoint_age_seconds"):
        p.check("sentistream_" + needed in text, f"no panel uses sentistream_{needed}")
    prov = load_yaml(os.path.join(src, "docker", "grafana", "provisioning", "dashboards", "sentistream.yaml"))
    compose = load_yaml(os.path.join(src, "docker", "compose.yaml"))
    mounts = compose["services"]["grafana"].get("volumes", [])
    for prov_entry in prov.get("providers", []):
        path = prov_entry.get("options", {}).get("path")
        p.check(any(str(m).startswith("./grafana/dashboards:" + path) for m in mounts),
                f"dashboard provider path {path} is not where compose mounts grafana/dashboards")
    return p.finish("dashboard")


# ---- scrape ------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape_names(text):
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            names.add(line.split()[2])
        elif line and not line.startswith("#"):
            names.add(base_name(re.split(r"[{ ]", line, maxsplit=1)[0]))
    return names


def http_get(url, timeout=2):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode("utf-8", "replace")


# Exported only while consuming from Kafka: checked in live mode (`run`, when a broker is
# given by SENTISTREAM_KAFKA_BOOTSTRAP as in CI), reported as unchecked in replay mode.
KAFKA_ONLY = {"sentistream_consumer_lag_messages", "sentistream_consumer_lag_seconds"}


def has_subcommand(binary, name):
    # `sentistream X --help` prints the top-level help when X does not exist, so look for
    # X in the list of subcommands instead.
    top_help = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    return re.search(rf"^\s+{name}\s", top_help, re.M) is not None


def wanted_metrics(src):
    """sentistream_* names in the dashboard and the alert rules -> where they are used."""
    _, exprs = dashboard_exprs(src)
    wanted = {}
    for e in exprs:
        for m in METRIC_RE.findall(e):
            wanted.setdefault(base_name(m), "dashboard")
    alerts = load_yaml(os.path.join(src, "docker", "alerts.yml"))
    for g in alerts.get("groups", []):
        for r in g.get("rules", []):
            for m in METRIC_RE.findall(r.get("expr", "")):
                wanted.setdefault(base_name(m), f"alert {r.get('alert')}")
    return wanted


def live_config(src, tmp, bootstrap, topic, port):
    """examples/sentistream.toml's windows and topic rules, consuming `topic`."""
    with open(os.path.join(src, "examples", "sentistream.toml"), encoding="utf-8") as f:
        example = f.read()
    path = os.path.join(tmp, "live.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"""{example}
[kafka]
topics = ["{topic}"]
idle_timeout = "2s"
[checkpoint]
dir = "{os.path.join(tmp, 'state')}"
interval = "500ms"
[metrics]
listen = "127.0.0.1:{port}"
[kafka.consumer]
"bootstrap.servers" = "{bootstrap}"
"group.id" = "{topic}"
""")
    return path


def start_replay(src, binary, tmp, port, p):
    """replay on a FIFO that stays open: the binary lives while the test scrapes it."""
    fifo = os.path.join(tmp, "input.fifo")
    os.mkfifo(fifo)
    cmd = [binary, "replay", "--quiet", "--config", os.path.join(src, "examples", "sentistream.toml"),
           "--metrics-listen", f"127.0.0.1:{port}", "--output", os.path.join(tmp, "out.jsonl"), fifo]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    writer = None
    deadline = time.time() + 20
    while writer is None:  # do not block forever if the binary dies before opening it
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                p.add(f"replay did not open its input (exit {proc.poll()})")
                proc.kill()
                return proc, None
            time.sleep(0.05)
    os.set_blocking(writer, True)
    # The dump four times over (about 4 MB): replay reads its input in large blocks and
    # does not process a block until it is full or the input ends, and one copy (1 MB)
    # stays in that buffer. Repeated posts are late and counted, which is fine here.
    with open(os.path.join(src, "examples", "deepseek_demo.ndjson"), "rb") as f:
        dump = f.read()
    for _ in range(4):
        os.write(writer, dump)
    return proc, writer


def start_live(src, binary, tmp, port, bootstrap, p):
    """The example dump produced into a fresh topic, consumed by `run`."""
    topic = f"docker-scrape-{os.getpid()}-{int(time.time())}"
    broker = os.path.join(src, "scripts", "kafka-test-broker")
    subprocess.run([broker, "topic", "create", topic, "2", "--bootstrap", bootstrap],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([binary, "produce", "--brokers", bootstrap, "--topic", topic,
                    os.path.join(src, "examples", "deepseek_demo.ndjson")],
                   check=True, stderr=subprocess.DEVNULL)
    cfg = live_config(src, tmp, bootstrap, topic, port)
    proc = subprocess.Popen([binary, "run", "--config", cfg, "--threads", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return proc, topic


def check_scrape(src, binary):
    help_text = subprocess.run([binary, "replay", "--help"], capture_output=True, text=True).stdout
    if "--metrics-listen" not in help_text:
        print("skip: `sentistream replay --help` has no --metrics-listen option yet")
        return SKIP
    p = Problems()
    wanted = wanted_metrics(src)
    bootstrap = os.environ.get("SENTISTREAM_KAFKA_BOOTSTRAP", "").strip()
    live = bool(bootstrap) and has_subcommand(binary, "run")
    if not live:
        unchecked = sorted(n for n in wanted if n in KAFKA_ONLY)
        for n in unchecked:
            del wanted[n]
        print(f"replay mode (no SENTISTREAM_KAFKA_BOOTSTRAP): not checked: {', '.join(unchecked)}")

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        writer = topic = None
        if live:
            proc, topic = start_live(src, binary, tmp, port, bootstrap, p)
        else:
            proc, writer = start_replay(src, binary, tmp, port, p)
        try:
            # Scrape until every wanted name is present (labelled families appear with
            # their first child) or time is up.
            url = f"http://127.0.0.1:{port}"
            names, last_error = set(), None
            deadline = time.time() + 45
            while time.time() < deadline and proc.poll() is None:
                try:
                    status, body = http_get(url + "/metrics")
                    if status == 200:
                        names = scrape_names(body)
                        if all(w in names for w in wanted):
                            break
                except (urllib.error.URLError, OSError) as e:
                    last_error = e
                time.sleep(0.5)
            p.check(names, f"no scrape from {url}/metrics ({last_error})")
            for name, user in sorted(wanted.items()):
                p.check(name in names, f"{name} (used by {user}) is not in the binary's /metrics")
            # The image's health check script against the real endpoint, and against a
            # port nobody listens on.
            hc = os.path.join(src, "docker", "healthcheck.sh")
            env = dict(os.environ, SENTISTREAM_METRICS_PORT=str(port))
            r = subprocess.run(["bash", hc], env=env, capture_output=True, text=True, timeout=10)
            p.check(r.returncode == 0, f"healthcheck.sh failed against /healthz: {r.stderr.strip()}")
            env["SENTISTREAM_METRICS_PORT"] = str(free_port())
            r = subprocess.run(["bash", hc], env=env, capture_output=True, text=True, timeout=10)
            p.check(r.returncode != 0, "healthcheck.sh passes on a port nobody listens on")
        finally:
            if writer is not None:
                os.close(writer)  # end of input: replay flushes and exits
            elif proc.poll() is None:
                proc.terminate()  # run: SIGTERM is a graceful stop
            try:
                rc = proc.wait(timeout=60)
                p.check(rc == 0, f"sentistream exited {rc} at the end: {proc.stderr.read()[-2000:]}")
            except subprocess.TimeoutExpired:
                proc.kill()
                p.add("sentistream did not exit within 60 s after its input closed / SIGTERM")
            if topic:
                subprocess.run([os.path.join(src, "scripts", "kafka-test-broker"), "topic", "delete",
                                topic, "--bootstrap", bootstrap], stdout=subprocess.DEVNULL)
    print(f"checked {len(wanted)} metric names against a scrape in {'live' if live else 'replay'} mode")
    return p.finish("scrape")


# ---- config ------------------------------------------------------------------------------


def check_config(src, binary):
    if not has_subcommand(binary, "run"):
        print("skip: this binary has no live mode (`run`) yet; docker/sentistream.toml sets its options")
        return SKIP
    p = Problems()
    r = subprocess.run([binary, "validate", "--config", os.path.join(src, "docker", "sentistream.toml")],
                       capture_output=True, text=True)
    p.check(r.returncode == 0, f"sentistream validate rejects docker/sentistream.toml:\n{r.stderr}")
    return p.finish("config")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, help="repository root")
    ap.add_argument("--bin", help="the sentistream binary (scrape, config)")
    ap.add_argument("check", choices=["compose", "dashboard", "scrape", "config"])
    args = ap.parse_args()
    src = os.path.abspath(args.source)
    if args.check in ("scrape", "config") and not args.bin:
        ap.error(f"{args.check} needs --bin")
    if args.check == "compose":
        return check_compose(src)
    if args.check == "dashboard":
        return check_dashboard(src)
    if args.check == "scrape":
        return check_scrape(src, args.bin)
    return check_config(src, args.bin)


if __name__ == "__main__":
    sys.exit(main())
