"""Fill ``wheelhouse/`` with every third-party wheel the image needs, so its build needs no index.

The Dockerfile installs with ``pip install --no-index --find-links /wheelhouse``: the image build
never reaches a package index, so it works behind proxies and private certificate authorities
that only the host is set up for, and the same wheelhouse always gives the same image.

What it writes (into ``--out``, default ``wheelhouse/`` beside the Dockerfile):
  *.whl              the project's dependencies, everything they need, and the build backend
                     (setuptools); a dependency published only as source is built here
  requirements.txt   ``name==version`` of every dependency wheel: what the build stage installs
                     (torch included, for the ONNX export of the seeds index)
  runtime.txt        the subset the image keeps: the dependencies but those pyproject.toml names
                     in ``[tool.whosaid] build-only-dependencies``, and what they need, at the
                     same versions. Serving an index folder needs no torch.

The runtime wheels' shared libraries are stripped of their symbol tables (``strip
--strip-unneeded`` from binutils, on the host; RECORD rewritten to match): nothing at run time
reads them, and they are about 130 MB of the image. Wheels that auditwheel repaired (a ``.libs``
folder: numpy, scipy, FAISS) are kept as published. Without ``strip`` on the PATH the wheels are
kept as published, and the script says so.

The wheels are for the machine that runs this script, so run it with CPython 3.11 on Linux of the
image's architecture, or inside the base image itself (the README shows both). Options after
``--`` go to ``pip wheel`` as they are, e.g. PyTorch's CPU-only index (PyPI's default torch for
x86_64 Linux is the CUDA build, gigabytes larger):

    python3 docker/wheelhouse.py -- --extra-index-url https://download.pytorch.org/whl/cpu

A finished wheelhouse is kept in a cache folder (``$WHOSAID_CACHE``, default ~/.cache/whosaid)
under a key made of the dependency list, the platform and the pip options, so a second run with
the same inputs only links files; the two most recent are kept.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = (3, 11)
KEEP = 2
PIN_FILES = ("requirements.txt", "runtime.txt")


def check_interpreter() -> str | None:
    """Why this interpreter cannot make the image's wheelhouse, or None if it can."""
    if sys.implementation.name != "cpython" or sys.version_info[:2] != PYTHON:
        return f"needs CPython {PYTHON[0]}.{PYTHON[1]}, this is {sys.version.split()[0]}"
    if not sys.platform.startswith("linux"):
        return f"needs Linux, this is {sys.platform}"
    return None


def target() -> str:
    """What the wheels are for: interpreter, machine and C library."""
    libc, libc_version = platform.libc_ver()
    return f"cp{PYTHON[0]}{PYTHON[1]}-{platform.machine()}-{libc}{libc_version}"


@dataclass(frozen=True, kw_only=True)
class Requirements:
    everything: list[str]  # the project's dependencies, as pyproject.toml lists them
    runtime: list[str]  # those the service needs to serve (no build-only ones)
    backend: list[str]  # the build system's requirements


def requirement_name(requirement: str) -> str:
    """The PEP 503 normalised name a requirement string starts with."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, f"not a requirement: {requirement!r}"
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def project_requirements(pyproject: Path) -> Requirements:
    """The project's dependencies, the runtime subset and its build-system requirements."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    everything = list(data["project"]["dependencies"])
    build_only = data["tool"]["whosaid"]["build-only-dependencies"]
    skip = {requirement_name(name) for name in build_only}
    unknown = sorted(skip - {requirement_name(requirement) for requirement in everything})
    if unknown:
        raise ValueError(f"build-only-dependencies names no dependency: {', '.join(unknown)}")
    runtime = [item for item in everything if requirement_name(item) not in skip]
    return Requirements(
        everything=everything, runtime=runtime, backend=list(data["build-system"]["requires"])
    )


def pip_wheel(requirements: list[str], dest: Path, pip_options: list[str]) -> None:
    """Wheels for ``requirements`` and all they need: downloaded where the index has one for
    this platform, built from the source distribution where it has none."""
    command = [sys.executable, "-m", "pip", "wheel", "--wheel-dir", str(dest), *pip_options]
    subprocess.run([*command, *requirements], check=True)


def wheel_pin(wheel: Path) -> str:
    """``name==version`` from a wheel's file name (PEP 427: name-version-...)."""
    name, version = wheel.name.split("-")[:2]
    return f"{name.replace('_', '-').lower()}=={version}"


def resolved_pins(requirements: list[str], wheelhouse: Path, constraints: Path) -> list[str]:
    """``name==version`` of what installing ``requirements`` from ``wheelhouse`` alone, held
    to the versions in ``constraints``, would install (pip's resolver, nothing installed)."""
    report = wheelhouse / "resolve-report.json"
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"]
    command += ["--quiet", "--no-index", "--find-links", str(wheelhouse)]
    command += ["--constraint", str(constraints), "--report", str(report), *requirements]
    subprocess.run(command, check=True)
    installs = json.loads(report.read_text(encoding="utf-8"))["install"]
    report.unlink()
    return sorted(
        f"{requirement_name(item['metadata']['name'])}=={item['metadata']['version']}"
        for item in installs
    )


def make_wheelhouse(requirements: Requirements, dest: Path, options: list[str]) -> None:
    pip_wheel(requirements.everything, dest, options)
    pins = sorted(wheel_pin(wheel) for wheel in dest.glob("*.whl"))
    # The build backend goes in too (pip's isolated build of the project installs it from
    # here), but not into requirements.txt unless something needs it at run time.
    pip_wheel(requirements.backend, dest, options)
    (dest / "requirements.txt").write_text("\n".join(pins) + "\n", encoding="utf-8")
    # The runtime subset, resolved against the same wheels at the same versions: a package
    # that only torch or sentence-transformers needs is not in it.
    runtime = resolved_pins(requirements.runtime, dest, dest / "requirements.txt")
    if not set(runtime) <= set(pins):
        raise RuntimeError(f"runtime pins outside requirements.txt: {set(runtime) - set(pins)}")
    (dest / "runtime.txt").write_text("\n".join(runtime) + "\n", encoding="utf-8")
    strip_runtime_wheels(dest, runtime)


def record_line(name: str, data: bytes) -> str:
    """A wheel RECORD row (PEP 376/427): path, urlsafe base64 sha256 without padding, size."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def strip_wheel(wheel: Path, strip: str) -> int:
    """Rewrite ``wheel`` with its shared libraries stripped; the bytes saved."""
    with zipfile.ZipFile(wheel) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    libraries = [info.filename for info, _ in members if re.search(r"\.so(\.|$)", info.filename)]
    # auditwheel's repair vendors libraries into <name>.libs/ and rewrites the ELF headers of
    # the wheel's libraries with patchelf; strip breaks those ("ELF load command address/offset
    # not page-aligned"), so such a wheel is kept as published.
    if not libraries or any(".libs/" in info.filename for info, _ in members):
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        stripped: dict[str, bytes] = {}
        for index, name in enumerate(libraries):
            path = Path(scratch) / str(index)
            path.write_bytes(next(data for info, data in members if info.filename == name))
            subprocess.run([strip, "--strip-unneeded", str(path)], check=True)
            stripped[name] = path.read_bytes()
    record = next(
        info.filename for info, _ in members if info.filename.endswith(".dist-info/RECORD")
    )
    rows = [
        record_line(info.filename, stripped.get(info.filename, data))
        for info, data in members
        if info.filename != record and not info.filename.endswith("/")
    ]
    before = wheel.stat().st_size
    partial = wheel.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as target_zip:
        for info, data in members:
            if info.filename == record:
                data = ("\n".join([*rows, f"{record},,"]) + "\n").encode()
            target_zip.writestr(info, stripped.get(info.filename, data))
    partial.replace(wheel)
    return before - wheel.stat().st_size


def strip_runtime_wheels(dest: Path, runtime: list[str]) -> None:
    """Strip the shared libraries of the wheels the image keeps (see the module's docstring)."""
    strip = shutil.which("strip")
    if strip is None:
        print(
            "wheelhouse: no strip on the PATH (binutils); wheels kept as published", file=sys.stderr
        )
        return
    saved = sum(
        strip_wheel(wheel, strip) for wheel in dest.glob("*.whl") if wheel_pin(wheel) in runtime
    )
    print(f"wheelhouse: stripped the runtime wheels, {saved / 2**20:.0f} MiB less", file=sys.stderr)


def fill(out: Path, source: Path) -> None:
    """Make ``out`` hold exactly the wheels and requirements of ``source`` (hard links where
    the file system allows)."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.is_file() and (old.suffix == ".whl" or old.name in PIN_FILES):
            old.unlink()
    for item in source.iterdir():
        try:
            os.link(item, out / item.name)
        except OSError:
            shutil.copy2(item, out / item.name)


def prune(cache: Path, keep: Path) -> None:
    """Drop all but the most recent cached wheelhouses (and ``keep``, the one in use)."""
    entries = sorted(cache.glob("wheelhouse-*"), key=lambda path: path.stat().st_mtime)
    for old in entries[:-KEEP]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "wheelhouse")
    parser.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(os.environ.get("WHOSAID_CACHE", Path.home() / ".cache" / "whosaid")),
    )
    parser.add_argument("pip_options", nargs="*", help="after --: options for pip wheel")
    args = parser.parse_args(argv)
    problem = check_interpreter()
    if problem:
        parser.exit(1, f"wheelhouse: {problem}; run it inside the base image (see the README)\n")

    requirements = project_requirements(args.pyproject)
    recipe = "\n".join(
        [
            "wheelhouse-5",
            target(),
            *requirements.everything,
            "--",
            *requirements.runtime,
            "--",
            *requirements.backend,
            "--",
            *args.pip_options,
        ]
    )
    cached = args.cache / f"wheelhouse-{hashlib.sha256(recipe.encode()).hexdigest()[:16]}"
    if all((cached / name).is_file() for name in PIN_FILES):
        print(f"wheelhouse: cached {cached}", file=sys.stderr)
        cached.touch()
    else:
        args.cache.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix="partial-", dir=args.cache))
        try:
            make_wheelhouse(requirements, partial, args.pip_options)
            shutil.rmtree(cached, ignore_errors=True)
            partial.rename(cached)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    fill(args.out, cached)
    prune(args.cache, keep=cached)

    wheels = sorted(args.out.glob("*.whl"))
    size = sum(wheel.stat().st_size for wheel in wheels)
    print(
        f"wheelhouse: {len(wheels)} wheels, {size / 2**20:.0f} MiB in {args.out}", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
