#!/usr/bin/env python3
"""Makes the busybox base image every tool builds FROM and pushes it to a registry over plain HTTP.

The image is one layer: /bin/busybox (Debian's busybox-static), a symlink for each applet, a minimal
/etc/passwd and /etc/group, and the usual empty directories. Tar entries are sorted and their headers fixed,
so the same busybox binary always gives the same digests: every tool pulls byte-identical content.

Usage: base_image.py --registry 127.0.0.1:5000 --repository bench/busybox --tag 1 [--busybox /bin/busybox]
"""

import argparse
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import urllib.error
import urllib.request

MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"
# A fixed time for every header and the config, so the digests depend only on the busybox binary.
EPOCH = 1700000000
CREATED = "2023-11-14T22:13:20Z"

PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
GROUP = "root:x:0:\nnogroup:x:65534:\n"
DIRECTORIES = {"bin": 0o755, "dev": 0o755, "etc": 0o755, "home": 0o755, "proc": 0o755, "root": 0o700,
               "sbin": 0o755, "sys": 0o755, "tmp": 0o1777, "usr": 0o755, "usr/bin": 0o755,
               "usr/sbin": 0o755, "var": 0o755, "var/tmp": 0o1777}


def applets(busybox):
    """Paths such as usr/bin/awk, from the binary itself, so the links match what it can do."""
    listing = subprocess.run([busybox, "--list-full"], check=True, capture_output=True, text=True).stdout
    return sorted(path for path in listing.split() if path and path != "bin/busybox")


def rootfs_tar(busybox):
    """The layer as an uncompressed tar, entries sorted by name."""
    entries = {}

    def header(name, kind, mode, size=0, linkname=""):
        info = tarfile.TarInfo(name)
        info.type, info.mode, info.size, info.linkname = kind, mode, size, linkname
        info.mtime, info.uid, info.gid, info.uname, info.gname = EPOCH, 0, 0, "", ""
        return info

    for directory, mode in DIRECTORIES.items():
        entries[directory] = (header(directory, tarfile.DIRTYPE, mode), None)
    with open(busybox, "rb") as binary:
        content = binary.read()
    entries["bin/busybox"] = (header("bin/busybox", tarfile.REGTYPE, 0o755, len(content)), content)
    for name, text in (("etc/passwd", PASSWD), ("etc/group", GROUP)):
        data = text.encode()
        entries[name] = (header(name, tarfile.REGTYPE, 0o644, len(data)), data)
    for path in applets(busybox):
        parent = path.rsplit("/", 1)[0]
        if parent not in entries:
            entries[parent] = (header(parent, tarfile.DIRTYPE, 0o755), None)
        entries[path] = (header(path, tarfile.SYMTYPE, 0o777, linkname="/bin/busybox"), None)

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(entries):
            info, data = entries[name]
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def image(busybox):
    """(config bytes, layer blob bytes, manifest bytes) of the base image."""
    layer_tar = rootfs_tar(busybox)
    layer = gzip.compress(layer_tar, compresslevel=6, mtime=0)
    config = json.dumps({
        "architecture": "amd64",
        "os": "linux",
        "created": CREATED,
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["sh"],
        },
        "rootfs": {"type": "layers", "diff_ids": [sha256(layer_tar)]},
        "history": [{"created": CREATED, "created_by": "bench/lib/base_image.py: Debian busybox-static"}],
    }, sort_keys=True, separators=(",", ":")).encode()
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": CONFIG_TYPE, "size": len(config), "digest": sha256(config)},
        "layers": [{"mediaType": LAYER_TYPE, "size": len(layer), "digest": sha256(layer)}],
    }, sort_keys=True, separators=(",", ":")).encode()
    return config, layer, manifest


def request(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        if method == "HEAD" and error.code == 404:
            return 404, error.headers
        raise SystemExit(f"base image: {method} {url} failed: {error.code} {error.read()[:300]!r}")


def push_blob(base, repository, data):
    digest = sha256(data)
    status, _ = request("HEAD", f"{base}/v2/{repository}/blobs/{digest}")
    if status == 200:
        return
    _, headers = request("POST", f"{base}/v2/{repository}/blobs/uploads/", data=b"")
    location = headers["Location"]
    if location.startswith("/"):
        location = base + location
    separator = "&" if "?" in location else "?"
    request("PUT", f"{location}{separator}digest={digest}", data=data,
            headers={"Content-Type": "application/octet-stream"})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registry", required=True, help="host:port, spoken to over plain HTTP")
    parser.add_argument("--repository", default="bench/busybox")
    parser.add_argument("--tag", default="1")
    parser.add_argument("--busybox", default="/bin/busybox")
    args = parser.parse_args()

    config, layer, manifest = image(args.busybox)
    base = f"http://{args.registry}"
    push_blob(base, args.repository, layer)
    push_blob(base, args.repository, config)
    request("PUT", f"{base}/v2/{args.repository}/manifests/{args.tag}", data=manifest,
            headers={"Content-Type": MANIFEST_TYPE})
    print(f"{args.registry}/{args.repository}:{args.tag}@{sha256(manifest)}")


if __name__ == "__main__":
    sys.exit(main())
