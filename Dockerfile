# irdrill as a container: the sandbox by default, any irdrill command as
# arguments (docker run irdrill:dev lab).
#
# The build context is the repository root with only bin/irdrill (and
# .dockerignore) in it: a static Linux binary from `make build` (on Linux) or
# `make image`, which also passes VERSION and REVISION. There is no base
# image: nothing can be pulled here, and a scratch image has nothing to
# patch.
FROM scratch

ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="irdrill" \
      org.opencontainers.image.description="Incident-response drills for AWS: an AWS-compatible sandbox (IAM, STS, EC2, CloudTrail, CloudWatch Logs), the seed lab, attack techniques and detections" \
      org.opencontainers.image.source="https://github.com/irdrill/irdrill" \
      org.opencontainers.image.url="https://github.com/irdrill/irdrill" \
      org.opencontainers.image.documentation="https://github.com/irdrill/irdrill#the-image" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

COPY bin/irdrill /irdrill
# The state folder (run journals, saved lab keys) must be the user's own:
# copying a file into it with --chown makes it so, as no RUN can here.
# Mount a volume on it to keep runs between containers.
COPY --chown=65532:65532 .dockerignore /home/irdrill/.local/state/irdrill/.keep
ENV HOME=/home/irdrill

# No name for the user exists in a scratch image, so it is numeric: the
# conventional unprivileged 65532.
USER 65532:65532
EXPOSE 4566
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 CMD ["/irdrill", "sandbox", "health"]
ENTRYPOINT ["/irdrill"]
CMD ["sandbox", "serve", "--addr", "0.0.0.0:4566"]
