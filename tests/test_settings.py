"""Settings as an operator gives them: `VOXDIAL_*` environment variables."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from voxdial.settings import Settings, SipSettings
from voxdial.telephony.sip import SipConfig

SIP_ENV = {
    "VOXDIAL_SIP_DOMAIN": "trunk.example.com:5070",
    "VOXDIAL_SIP_REGISTRAR": "sip:pbx.example.com",
    "VOXDIAL_SIP_PROXY": "sip:proxy.example.com;lr",
    "VOXDIAL_SIP_USERNAME": "voxdial",
    "VOXDIAL_SIP_PASSWORD": "s3cret",
    "VOXDIAL_SIP_CALLER_ID": "+862150001111",
    "VOXDIAL_SIP_CODECS": "PCMU, G722",
    "VOXDIAL_SIP_BIND_HOST": "127.0.0.2",
    "VOXDIAL_SIP_PORT": "5062",
    "VOXDIAL_SIP_RTP_PORT_START": "12000",
    "VOXDIAL_SIP_DIAL_TIMEOUT_SECONDS": "30.5",
    "VOXDIAL_SIP_MAX_CALLS": "2",
    "VOXDIAL_SIP_STRIP_PLUS": "true",
    "VOXDIAL_SIP_LOG_LEVEL": "3",
    "VOXDIAL_SIP_ACCEPT_CALLS": "true",
    "VOXDIAL_SIP_KEYS_OUT": "inband",
}


@pytest.fixture
def clean_env(monkeypatch):
    import os

    for name in list(os.environ):
        if name.startswith("VOXDIAL_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_every_sip_variable_reaches_the_nested_model(clean_env):
    for name, value in SIP_ENV.items():
        clean_env.setenv(name, value)
    sip = Settings().sip
    assert sip.domain == "trunk.example.com:5070"
    assert sip.registrar == "sip:pbx.example.com"
    assert sip.proxy == "sip:proxy.example.com;lr"
    assert sip.username == "voxdial"
    assert sip.password.get_secret_value() == "s3cret"
    assert sip.caller_id == "+862150001111"
    assert sip.codecs == ("PCMU", "G722")
    assert sip.bind_host == "127.0.0.2"
    assert (sip.port, sip.rtp_port_start) == (5062, 12000)
    assert sip.dial_timeout_seconds == 30.5
    assert sip.max_calls == 2
    assert sip.strip_plus is True
    assert sip.log_level == 3
    assert sip.accept_calls is True
    assert sip.keys_out == "inband"
    # every field of the model has its variable above: none is left undocumented here
    assert {f"VOXDIAL_SIP_{name.upper()}" for name in SipSettings.model_fields} == set(SIP_ENV)


def test_sip_defaults_without_variables(clean_env):
    sip = Settings().sip
    assert sip == SipSettings()
    assert sip.codecs == ("PCMA", "PCMU") and sip.bind_host == "127.0.0.1"
    assert sip.password.get_secret_value() == "" and "s3cret" not in repr(Settings())


def test_carrier_config_resolves_the_defaults_that_point_elsewhere(clean_env):
    clean_env.setenv("VOXDIAL_SIP_REGISTRAR", "sip:pbx.example.com:5080;transport=udp")
    clean_env.setenv("VOXDIAL_CALLER_ID", "+862150009999")
    clean_env.setenv("VOXDIAL_DIALER_MAX_LINES", "3")
    clean_env.setenv("VOXDIAL_VOICE_MAX_CALL_SECONDS", "120")
    config = SipConfig.from_settings(Settings())
    assert config.domain == "pbx.example.com:5080"  # no domain: the registrar's host
    assert config.caller_id == "+862150009999"
    assert config.max_calls == 3
    assert config.max_call_seconds == 180
    clean_env.setenv("VOXDIAL_DIALER_MAX_LINES", "200")
    assert SipConfig.from_settings(Settings()).max_calls == 200  # the dialer's lines, uncapped


def test_a_bad_sip_value_names_its_field(clean_env):
    clean_env.setenv("VOXDIAL_SIP_PORT", "fifty")
    with pytest.raises(ValidationError, match=r"sip\.port"):
        Settings()


def test_log_format_is_plain_or_json(clean_env):
    assert Settings().log_format == "plain"
    clean_env.setenv("VOXDIAL_LOG_FORMAT", "json")
    assert Settings().log_format == "json"
    clean_env.setenv("VOXDIAL_LOG_FORMAT", "xml")
    with pytest.raises(ValidationError, match="log_format"):
        Settings()
