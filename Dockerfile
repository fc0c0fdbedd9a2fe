# The sandbox as a container. The build context is dist/, holding a static
# binary built by `make image` (no base image: nothing can be pulled here,
# and a scratch image has nothing to patch).
FROM scratch
COPY irdrill-linux /irdrill
EXPOSE 4566
ENTRYPOINT ["/irdrill", "sandbox", "serve", "--addr", "0.0.0.0:4566"]
