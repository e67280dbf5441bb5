"""Connection settings for one SFCC realm, filled from Django settings by the portal."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from apps.sfcc.client.auth import DEFAULT_TOKEN_URL, am_scopes

ORGANIZATION_ID = re.compile(r"^f_ecom_[a-z]{4}_(prd|stg|dev|s[0-9]{2}|[0-9]{3})$")


@dataclass(frozen=True)
class SfccConfig:
    """Everything the client needs; ``client_secret`` is kept out of ``repr``.

    ``api_base_url`` is the SCAPI host, e.g. ``https://kv7kzm78.api.commercecloud.salesforce.com``
    (the simulator's ``http://127.0.0.1:8701``); ``ocapi_base_url`` is the instance host that
    serves OCAPI Shop (notes); leave it empty to disable notes.
    """

    api_base_url: str
    organization_id: str
    site_id: str
    client_id: str
    client_secret: str = field(repr=False)
    token_url: str = DEFAULT_TOKEN_URL
    ocapi_base_url: str = ""
    ocapi_version: str = "v24_5"
    write_access: bool = True
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    read_retries: int = 2
    max_retry_wait: float = 30.0
    max_connections: int = 20

    def __post_init__(self) -> None:
        if not ORGANIZATION_ID.match(self.organization_id):
            raise ValueError(
                f"organization_id {self.organization_id!r} must look like f_ecom_zzxy_prd"
            )
        if not self.site_id:
            raise ValueError("site_id is required: SCAPI refuses calls without siteId")

    @property
    def tenant_id(self) -> str:
        """``zzxy_prd`` for ``f_ecom_zzxy_prd``: the tenant named in the token scope."""
        return self.organization_id.removeprefix("f_ecom_")

    @property
    def scopes(self) -> tuple[str, ...]:
        return am_scopes(tenant_id=self.tenant_id, write=self.write_access)
