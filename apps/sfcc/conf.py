"""SFCC settings, read at call time so tests and deployments can change them without reloads.

| setting                  | default                                   | meaning                                   |
|--------------------------|-------------------------------------------|-------------------------------------------|
| SFCC_ENABLED             | True                                      | master switch: poll, push, write-back     |
| SFCC_BASE_URL            | http://127.0.0.1:8701                     | SCAPI host (the simulator by default)     |
| SFCC_AUTH_URL            | <SFCC_BASE_URL>/dwsso/oauth2/access_token | Account Manager token endpoint            |
| SFCC_OCAPI_BASE_URL      | SFCC_BASE_URL                             | instance host serving OCAPI Shop (notes)  |
| SFCC_CLIENT_ID / _SECRET | the simulator's client                    | Account Manager API client                |
| SFCC_TENANT              | zzxy_prd                                  | realm/instance, names the token scope     |
| SFCC_ORGANIZATION_ID     | f_ecom_<SFCC_TENANT>                      | SCAPI organization id                     |
| SFCC_SITE_ID             | RefArch                                   | the storefront site whose orders we mirror |
| SFCC_PUSH_SECRET         | empty (push refused)                      | HMAC secret(s) of the push, comma-separated while rotating |
| SFCC_POLL_SECONDS        | 30                                        | reconciliation poll interval (beat)       |
| SFCC_POLL_LOOKBACK_HOURS | 24                                        | how far back the very first poll reads    |
"""

from django.conf import settings

from apps.sfcc.client import SfccConfig

# The push signature's freshness window; a replay older than this is refused.
PUSH_TOLERANCE_SECONDS = 300


def enabled() -> bool:
    return bool(getattr(settings, "SFCC_ENABLED", True))


def site_id() -> str:
    return getattr(settings, "SFCC_SITE_ID", "RefArch")


def push_secrets() -> list[str]:
    raw = getattr(settings, "SFCC_PUSH_SECRET", "") or ""
    return [s.strip() for s in raw.split(",") if s.strip()]


def poll_seconds() -> int:
    return int(getattr(settings, "SFCC_POLL_SECONDS", 30))


def poll_lookback_hours() -> int:
    return int(getattr(settings, "SFCC_POLL_LOOKBACK_HOURS", 24))


def site_url() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def client_config() -> SfccConfig:
    base = getattr(settings, "SFCC_BASE_URL", "http://127.0.0.1:8701").rstrip("/")
    tenant = getattr(settings, "SFCC_TENANT", "zzxy_prd")
    return SfccConfig(
        api_base_url=base,
        organization_id=getattr(settings, "SFCC_ORGANIZATION_ID", "") or f"f_ecom_{tenant}",
        site_id=site_id(),
        client_id=getattr(settings, "SFCC_CLIENT_ID", "crossdock-sim-client"),
        client_secret=getattr(settings, "SFCC_CLIENT_SECRET", "crossdock-sim-secret"),
        token_url=getattr(settings, "SFCC_AUTH_URL", "") or f"{base}/dwsso/oauth2/access_token",
        ocapi_base_url=getattr(settings, "SFCC_OCAPI_BASE_URL", "") or base,
    )
