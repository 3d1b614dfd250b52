"""Run the e-ID simulator: `python -m congso.eid_simulator --port 9001 --client-id ID --client-secret S
--redirect-uri http://127.0.0.1:8000/oidc/callback/`. It prepares its own SQLite database and signing key, registers
the one client (congso) and serves until stopped. Prints "ready <base url>" when it accepts connections."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="congso.eid_simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9001)
    parser.add_argument("--client-id", default="congso")
    parser.add_argument("--client-secret", default="congso-eid-demo-secret")
    parser.add_argument("--redirect-uri", action="append", default=[])
    parser.add_argument("--db", default="")
    args = parser.parse_args(argv)

    folder = tempfile.mkdtemp(prefix="eid-sim-")
    os.environ.setdefault("EID_SIM_DB", args.db or os.path.join(folder, "eid.sqlite3"))
    os.environ["EID_SIM_RSA_KEY"] = _rsa_key()
    os.environ["DJANGO_SETTINGS_MODULE"] = "congso.eid_simulator.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    _register_client(args)

    from django.core.servers.basehttp import run as serve
    from django.core.wsgi import get_wsgi_application

    print(f"ready http://{args.host}:{args.port}", flush=True)
    serve(args.host, args.port, get_wsgi_application(), threading=True)
    return 0


def _rsa_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _register_client(args) -> None:
    from oauth2_provider.models import get_application_model

    Application = get_application_model()
    Application.objects.update_or_create(
        client_id=args.client_id,
        defaults={
            "name": "congso", "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "client_secret": args.client_secret, "hash_client_secret": False,
            "redirect_uris": " ".join(args.redirect_uri or ["http://127.0.0.1:8000/oidc/callback/"]),
            "algorithm": Application.RS256_ALGORITHM, "skip_authorization": True,
        },
    )


if __name__ == "__main__":
    sys.exit(main())
