"""The compiled ``storage`` section (frozen values; see ``schema`` for the meaning of each field)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Auth:
    kind: str  # "basic_auth" | "authorization" | "bearer_token_file" | "sigv4" | "none"
    settings: Mapping[str, str] = field(default_factory=dict)  # file paths, user names, AWS region/profile: never a secret


@dataclass(frozen=True)
class RemoteWrite:
    name: str
    url: str
    receiver: str
    auth: Auth
    recorded: bool  # send mlmon's recorded series (and ALERTS)
    series: tuple[str, ...]  # raw metric names sent as well
    everything: bool  # send every series (no write_relabel_configs)
    queue: Mapping[str, str | int]
    tls: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ThanosS3:
    bucket: str
    endpoint: str
    region: str | None = None
    prefix: str | None = None
    insecure: bool = False


@dataclass(frozen=True)
class Budget:
    total: int | None = None
    per_model: int | None = None


@dataclass(frozen=True)
class Storage:
    remote_write: tuple[RemoteWrite, ...] = ()
    external_labels: Mapping[str, str] = field(default_factory=dict)
    thanos_s3: ThanosS3 | None = None
    budget: Budget = field(default_factory=Budget)
