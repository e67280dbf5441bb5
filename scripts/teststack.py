"""Start the production stack on loopback (PostgreSQL, Redis, an S3 server), run a command, stop.

    python scripts/teststack.py -- pytest -m "not browser"

PostgreSQL comes from Debian's packages (initdb into a temporary folder, as the postgres
user when we are root, since PostgreSQL refuses to run as root), Redis from redis-server,
S3 from moto's server mode. Each listens on a free port; the command gets DATABASE_URL,
REDIS_URL and the AWS_* variables, so the project's settings select the production paths.
"""

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, name: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise SystemExit(f"{name} did not start on port {port} within {timeout:.0f} s")


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise SystemExit(f"PostgreSQL's {name} is missing: run scripts/system-deps.sh")
    return found[-1]


def as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextlib.contextmanager
def postgres(workdir: Path):
    data = workdir / "pg"
    data.mkdir()
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(workdir, pw.pw_uid, pw.pw_gid)
        os.chown(data, pw.pw_uid, pw.pw_gid)
    port = free_port()
    subprocess.run(
        as_postgres([pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # Durability is not what these tests measure; turning it off makes them faster.
    options = (
        f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(workdir / "pg.log"), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        subprocess.run(
            as_postgres([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "crossdock"]),
            check=True,
        )
        yield f"postgres://postgres@127.0.0.1:{port}/crossdock"
    finally:
        subprocess.run(
            as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL,
            check=False,
        )


@contextlib.contextmanager
def server(cmd: list[str], *, port: int, name: str, log: Path):
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, name=name)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def stack_env(workdir: Path, stack: contextlib.ExitStack) -> dict[str, str]:
    env = {"DATABASE_URL": stack.enter_context(postgres(workdir))}

    redis_port = free_port()
    redis = shutil.which("redis-server") or "/usr/bin/redis-server"
    stack.enter_context(
        server(
            [redis, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            port=redis_port,
            name="Redis",
            log=workdir / "redis.log",
        )
    )
    env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"

    s3_port = free_port()
    stack.enter_context(
        server(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)],
            port=s3_port,
            name="moto S3",
            log=workdir / "moto.log",
        )
    )
    env.update(
        AWS_STORAGE_BUCKET_NAME="crossdock-test",
        AWS_S3_ENDPOINT_URL=f"http://127.0.0.1:{s3_port}",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S105 - moto accepts any key
        AWS_S3_REGION_NAME="us-east-1",
    )
    import boto3

    boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106
        region_name="us-east-1",
    ).create_bucket(Bucket=env["AWS_STORAGE_BUCKET_NAME"])
    return env


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print(__doc__)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="crossdock-stack-"))
    os.chmod(workdir, 0o755)
    try:
        with contextlib.ExitStack() as stack:
            env = stack_env(workdir, stack)
            print("Test stack: " + ", ".join(f"{k}={v}" for k, v in env.items() if k.endswith("URL")), flush=True)
            return subprocess.call(argv, env={**os.environ, **env})
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
