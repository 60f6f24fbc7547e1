"""Build the connector for a bridge: its settings from the mirror, its secret from the keyring."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Any

from informz_console.connectors.base import Connector
from informz_console.connectors.errors import AuthError, ConfigError
from informz_console.domain.clock import Clock
from informz_console.domain.eligibility import SyncPolicy
from informz_console.domain.statuses import AcceptedStatuses
from informz_console.store.models import Bridge
from informz_console.sync.credentials import CredentialStore, Secret

KINDS = ("imis", "personify", "netforum", "idss")
STATUS_KINDS = {"imis"}  # the AMSs whose records carry a status code the bridge filters on
# Seed 002 / DOMAIN: in iDSS, changing a contact's email creates a new subscriber (elsewhere
# the AMS id keeps its subscriber, whose email is updated).
EMAIL_CHANGE_MOVES_KINDS = {"idss"}


def secret_name(kind: str, name: str) -> str:
    return f"bridge:{kind}:{name}"


def imis_settings_mapping(bridge: Bridge) -> dict[str, Any]:
    return {
        **bridge.settings,
        "accepted_statuses": bridge.accepted_statuses.split(","),
        "email_source": bridge.email_source,
    }


def policy_for(bridge: Bridge) -> SyncPolicy:
    if bridge.kind not in STATUS_KINDS:
        return SyncPolicy(accepted=None)
    return SyncPolicy(accepted=AcceptedStatuses.parse(bridge.accepted_statuses.split(",")))


# kind -> (module, connector class, settings class); imported when a bridge of that kind is used.
_CONNECTORS = {
    "imis": ("informz_console.connectors.imis", "ImisConnector", "ImisSettings"),
    "personify": ("informz_console.connectors.personify", "PersonifyConnector",
                  "PersonifySettings"),
    "netforum": ("informz_console.connectors.netforum", "NetforumConnector",
                 "NetforumSettings"),
    "idss": ("informz_console.connectors.idss", "IdssConnector", "IdssSettings"),
}


def settings_mapping(bridge: Bridge) -> dict[str, Any]:
    if bridge.kind == "imis":
        return imis_settings_mapping(bridge)
    return dict(bridge.settings)


def check_settings(kind: str, settings: dict[str, Any], accepted_statuses: str,
                   email_source: str) -> None:
    """A bridge's endpoint settings as its connector reads them: a ConfigError sentence when
    they are wrong, before anything is saved."""
    module_name, _, settings_class = _CONNECTORS[kind]
    mapping = dict(settings)
    if kind == "imis":
        mapping.update(accepted_statuses=accepted_statuses.split(","), email_source=email_source)
    getattr(importlib.import_module(module_name), settings_class).from_mapping(mapping)


@dataclass(frozen=True)
class ConnectorRecipe:
    """What builds a bridge's connector, and nothing of the mirror: it can be sent to another
    process (sync/fetch_process), which builds the same connector there."""

    connector_type: type
    settings: Any
    secret: Secret

    def build(self, clock: Clock | None = None) -> Connector:
        """`clock` goes to connectors that judge time themselves (Personify's stale lists), so
        they agree with the service's clock."""
        if clock is not None and "clock" in inspect.signature(self.connector_type).parameters:
            return self.connector_type(self.settings, self.secret.reveal(), clock=clock)
        return self.connector_type(self.settings, self.secret.reveal())


def connector_recipe(bridge: Bridge, credentials: CredentialStore) -> ConnectorRecipe:
    if bridge.kind not in _CONNECTORS:
        raise ConfigError(f"Bridge kind {bridge.kind!r} is unknown; use one of "
                          f"{', '.join(KINDS)}.")
    secret = credentials.get(bridge.secret_name) if bridge.secret_name else None
    if secret is None:
        raise AuthError(
            f"No password is stored for bridge {bridge.name!r}; run "
            f"`informz-console bridge login {bridge.name}` to enter it."
        )
    module_name, connector_class, settings_class = _CONNECTORS[bridge.kind]
    module = importlib.import_module(module_name)
    settings = getattr(module, settings_class).from_mapping(settings_mapping(bridge))
    return ConnectorRecipe(getattr(module, connector_class), settings, secret)


def build_connector(bridge: Bridge, credentials: CredentialStore,
                    clock: Clock | None = None) -> Connector:
    return connector_recipe(bridge, credentials).build(clock)
