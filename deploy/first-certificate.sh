#!/bin/sh
# Write a self-signed certificate so nginx can start before certbot has run (certbot's
# webroot challenge needs nginx running). Browsers warn until certbot's replaces it.
#     sh deploy/first-certificate.sh commitments.example.org [/etc/tracker/tls]
set -eu
host=${1:?usage: first-certificate.sh HOST [DIR]}
dir=${2:-/etc/tracker/tls}
mkdir -p "$dir"
chmod 700 "$dir"
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$host" \
    -addext "subjectAltName=DNS:$host" \
    -keyout "$dir/privkey.pem" -out "$dir/fullchain.pem" 2>/dev/null
chmod 644 "$dir/fullchain.pem"
echo "self-signed certificate for $host in $dir (valid 30 days)"
