"""Alertmanager 0.25 defaults, as ``/api/v2/status`` prints them for a config that leaves them out
(data: the normaliser drops values equal to these before comparing)."""

from __future__ import annotations

from typing import Any

GLOBAL_DEFAULTS: dict[str, Any] = {
    "resolve_timeout": "5m",
    "http_config": {"follow_redirects": True, "enable_http2": True},
    "smtp_hello": "localhost",
    "smtp_require_tls": True,
    "pagerduty_url": "https://events.pagerduty.com/v2/enqueue",
    "opsgenie_api_url": "https://api.opsgenie.com/",
    "wechat_api_url": "https://qyapi.weixin.qq.com/cgi-bin/",
    "victorops_api_url": "https://alert.victorops.com/integrations/generic/20131114/alert/",
    "telegram_api_url": "https://api.telegram.org",
    "webex_api_url": "https://webexapis.com/v1/messages",
}


def template(name: str) -> str:
    return '{{ template "%s" . }}' % name


RECEIVER_DEFAULTS: dict[str, dict[str, Any]] = {
    "webhook_configs": {"send_resolved": True, "max_alerts": 0},
    "discord_configs": {"send_resolved": True, "title": template("discord.default.title"), "message": template("discord.default.message")},
    "email_configs": {"send_resolved": False, "html": template("email.default.html")},
    "pagerduty_configs": {
        "send_resolved": True,
        "client": template("pagerduty.default.client"),
        "client_url": template("pagerduty.default.clientURL"),
        "description": '{{ template "pagerduty.default.description" .}}',
        "details": {
            "firing": '{{ template "pagerduty.default.instances" .Alerts.Firing }}',
            "num_firing": "{{ .Alerts.Firing | len }}",
            "num_resolved": "{{ .Alerts.Resolved | len }}",
            "resolved": '{{ template "pagerduty.default.instances" .Alerts.Resolved }}',
        },
        "source": template("pagerduty.default.client"),
    },
    "slack_configs": {
        "send_resolved": False,
        "username": template("slack.default.username"),
        "color": '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}',
        "title": template("slack.default.title"),
        "title_link": template("slack.default.titlelink"),
        "pretext": template("slack.default.pretext"),
        "text": template("slack.default.text"),
        "short_fields": False,
        "footer": template("slack.default.footer"),
        "fallback": template("slack.default.fallback"),
        "callback_id": template("slack.default.callbackid"),
        "icon_emoji": template("slack.default.iconemoji"),
        "icon_url": template("slack.default.iconurl"),
        "link_names": False,
    },
    "opsgenie_configs": {
        "send_resolved": True,
        "message": template("opsgenie.default.message"),
        "description": template("opsgenie.default.description"),
        "source": template("opsgenie.default.source"),
    },
    "wechat_configs": {
        "send_resolved": False,
        "message": template("wechat.default.message"),
        "to_user": template("wechat.default.to_user"),
        "to_party": template("wechat.default.to_party"),
        "to_tag": template("wechat.default.to_tag"),
        "agent_id": template("wechat.default.agent_id"),
        "message_type": "text",
    },
    "pushover_configs": {
        "send_resolved": True,
        "title": template("pushover.default.title"),
        "message": template("pushover.default.message"),
        "url": template("pushover.default.url"),
        "priority": '{{ if eq .Status "firing" }}2{{ else }}0{{ end }}',
        "retry": "1m",
        "expire": "1h",
        "html": False,
    },
    "victorops_configs": {
        "send_resolved": True,
        "message_type": "CRITICAL",
        "state_message": template("victorops.default.state_message"),
        "entity_display_name": template("victorops.default.entity_display_name"),
        "monitoring_tool": template("victorops.default.monitoring_tool"),
    },
    "sns_configs": {"send_resolved": True, "subject": template("sns.default.subject"), "message": template("sns.default.message")},
    "telegram_configs": {"send_resolved": True, "message": template("telegram.default.message"), "parse_mode": "HTML"},
    "webex_configs": {"send_resolved": True, "message": template("webex.default.message")},
}
# receiver field -> the global field it defaults to
FROM_GLOBAL: dict[str, dict[str, str]] = {
    "pagerduty_configs": {"url": "pagerduty_url"},
    "opsgenie_configs": {"api_url": "opsgenie_api_url", "api_key": "opsgenie_api_key"},
    "wechat_configs": {"api_url": "wechat_api_url", "api_secret": "wechat_api_secret", "corp_id": "wechat_api_corp_id"},
    "victorops_configs": {"api_url": "victorops_api_url", "api_key": "victorops_api_key"},
    "telegram_configs": {"api_url": "telegram_api_url"},
    "webex_configs": {"api_url": "webex_api_url"},
    "slack_configs": {"api_url": "slack_api_url", "api_url_file": "slack_api_url_file"},
    "email_configs": {
        "hello": "smtp_hello",
        "require_tls": "smtp_require_tls",
        "from": "smtp_from",
        "smarthost": "smtp_smarthost",
        "auth_username": "smtp_auth_username",
        "auth_password": "smtp_auth_password",
        "auth_secret": "smtp_auth_secret",
        "auth_identity": "smtp_auth_identity",
    },
}
EMAIL_SUBJECT = template("email.default.subject")  # the Subject header the server derives
