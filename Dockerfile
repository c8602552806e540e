# authproof as a container: Node.js 22 on Debian 12 with Debian's Chromium for the browser checks.
#
#   docker build -t authproof .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" -e BETTER_AUTH_SECRET \
#     authproof audit --api https://api.example.com --auth https://app.example.com
#
# Reports go to ./reports of the mounted directory (the --user keeps them yours). Pass secrets with -e NAME
# (the value from your environment), never on the command line.
#
# The image holds the packed package (what `npm pack` ships), not the repository: no reference app, no tests.
# Note: this file has not been built where authproof is developed (those machines have no Docker engine); it
# uses only Docker Hub's official node image and Debian's own packages.

FROM node:22-bookworm-slim AS pack
WORKDIR /src
COPY package.json package-lock.json ./
# the lockfile names the reference app's frontend workspace; its package.json is enough for npm ci
COPY reference-app/frontend/package.json reference-app/frontend/package.json
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/build.mjs
COPY src src
COPY suites suites
COPY reports/schema reports/schema
COPY README.md ./
RUN npm pack --pack-destination /tmp

FROM node:22-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
ENV AUTHPROOF_CHROMIUM=/usr/bin/chromium \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    NO_UPDATE_NOTIFIER=1
COPY --from=pack /tmp/authproof-*.tgz /tmp/
RUN npm install --global --ignore-scripts --no-audit --no-fund /tmp/authproof-*.tgz && rm /tmp/authproof-*.tgz
# An unprivileged user by default (docker run --user overrides it).
USER node
WORKDIR /work
ENTRYPOINT ["authproof"]
CMD ["--help"]
