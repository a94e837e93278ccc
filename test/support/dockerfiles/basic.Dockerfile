# layerlens-fixture/basic:1 — one layer per interesting case, oldest first.
# Built by test/support/fixtures.ts with the legacy builder (DOCKER_BUILDKIT=0)
# from a context generated at test time in $LAYERLENS_IT_WORKDIR/contexts/basic:
#   rootfs/bin/busybox (+ symlinks), id_rsa, config.v1.ini, config.v2.ini, suid-helper.
# @API_TOKEN@ is replaced with a random fake value when the context is written;
# BUILD_SECRET is passed with --build-arg. No key or token is stored in the repo.
FROM scratch

# L1: a minimal userland: static busybox and symlinks to its applets.
COPY rootfs/ /

# L2: a private key lands in the image ...
COPY id_rsa /root/.ssh/id_rsa
# L3: ... and is "removed" again: only a whiteout (root/.ssh/.wh.id_rsa); L2 still holds the key.
RUN rm /root/.ssh/id_rsa

# L4: a directory tree and a file next to it.
RUN mkdir -p /opt/app/sub && echo a > /opt/app/sub/f && echo keep > /opt/keep
# L5: the directory is removed and recreated with different content.
RUN rm -rf /opt/app && mkdir -p /opt/app && echo new > /opt/app/g

# L6: a config file holding a (fake) GitHub token ...
COPY config.v1.ini /etc/app/config.ini
# L7: ... overwritten by a clean one: the token only survives in L6.
COPY config.v2.ini /etc/app/config.ini

# L8: a hardlink: /data/hard is a link to /data/file inside the same layer.
RUN mkdir -p /data && echo data > /data/file && ln /data/file /data/hard

# L9 + L10: a helper that becomes setuid root in a later layer.
COPY suid-helper /usr/local/bin/suid-helper
RUN chmod 4755 /usr/local/bin/suid-helper

# Config only (no layer): a secret in the environment.
ENV API_TOKEN=@API_TOKEN@

# The build arg shows up in history as "|1 BUILD_SECRET=<value> /bin/sh -c ...".
ARG BUILD_SECRET
# L11: uses the build arg.
RUN test -n "$BUILD_SECRET" && echo "built with a secret" > /etc/app/build-info

# Config only: risky ports (ssh, mysql) and a plain web port; a non-root user.
EXPOSE 22 3306 8080
USER 1000
