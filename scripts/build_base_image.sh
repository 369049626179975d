#!/usr/bin/env bash
# The base image for agent pods (config key base_image): a JRE with the runner at
# /opt/agentkernel/agentkernel-runner.jar (its lib/ beside it), run as uid 10001, e.g.
#
#   FROM eclipse-temurin:21-jre
#   RUN useradd --uid 10001 --no-create-home runner
#   COPY runner/target/agentkernel-runner.jar /opt/agentkernel/
#   COPY runner/target/lib/ /opt/agentkernel/lib/
#   USER 10001
#
# Packaging the image (Jib or a Dockerfile, and pushing or `kind load`) is the packaging issue's work. Until
# it lands this script builds nothing and says so: it exits 3 so that no pipeline mistakes it for success.
# docs/kubernetes.md shows how to build and load the image by hand for kind and minikube.
set -euo pipefail
echo "build_base_image.sh: image packaging is a separate issue and not implemented yet; no image was built." >&2
echo "See docs/kubernetes.md (section 'The base image') to build agentkernel/runner:0.1.0 by hand with docker and load it into kind/minikube." >&2
exit 3
