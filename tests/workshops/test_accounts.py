"""Facilitator accounts: log in (throttled), passwords, and the createfacilitator command."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


def try_login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def error_of(response) -> str:
    return re.search(
        r'<div class="alert alert-block alert-danger">(.*?)</div>', response.text, re.S
    )[1].strip()


def test_logging_in_leads_to_the_workshops(client, alice):
    response = try_login(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("workshops:home")


def test_unknown_user_and_wrong_password_get_the_same_answer(client, alice):
    unknown = try_login(client, "nobody-here", "whatever-password")
    wrong = try_login(client, "alice", "not-her-password")
    assert unknown.status_code == wrong.status_code == 200
    assert error_of(unknown) == error_of(wrong)
    assert "Please enter a correct username and password" in error_of(wrong)


def test_repeated_failures_lock_the_account_from_that_address(client, alice, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert try_login(client, "alice", "guess").status_code == 200
    locked = try_login(client, "alice", "guess")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.text
    assert locked["Retry-After"] == "900"  # the 15-minute cool-off
    # Even the right password is refused while locked, with the same page.
    again = try_login(client, "alice", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_unknown_usernames_lock_the_same_way(client, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = try_login(client, "ghost", "guess")
    assert response.status_code == 429
    assert "Too many attempts" in response.text


def test_a_lockout_does_not_block_other_accounts(client, alice, bob, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        try_login(client, "alice", "guess")
    assert try_login(Client(), "bob", PASSWORD).status_code == 302


SPRAYER = "203.0.113.66"


def _spray(client, usernames, passwords) -> list[int]:
    """Each password tried on every username in turn, as a password sprayer does."""
    return [
        try_login(client, username, password).status_code
        for password in passwords
        for username in usernames
    ]


def _page(response) -> str:
    """The page less what changes on every response (CSRF token, CSP nonce)."""
    return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', "", response.text)


def test_password_spraying_locks_the_address_across_usernames(alice, settings):
    """20 usernames x 4 wrong passwords from one address: no username reaches its own limit
    (4 < 5), but the address is locked after LOGIN_FAILURES_PER_ADDRESS failures."""
    limit = settings.LOGIN_FAILURES_PER_ADDRESS
    assert limit == 20
    usernames = ["alice"] + [f"user{n:02}" for n in range(19)]
    sprayer = Client(REMOTE_ADDR=SPRAYER)
    statuses = _spray(sprayer, usernames, ["Winter2027!", "Password1", "letmein", "Welcome1"])
    assert statuses == [200] * (limit - 1) + [429] * (80 - limit + 1)
    # Locked from that address, even with the right password, with the same page whether the
    # username exists or not.
    right = try_login(sprayer, "alice", PASSWORD)
    unknown = try_login(sprayer, "no-such-user", PASSWORD)
    assert right.status_code == unknown.status_code == 429
    assert _page(right) == _page(unknown)
    assert "Too many attempts" in right.text and "for this account" not in right.text
    assert "_auth_user_id" not in sprayer.session
    # Another address is not affected.
    assert try_login(Client(REMOTE_ADDR="198.51.100.8"), "alice", PASSWORD).status_code == 302


def test_the_address_limit_is_a_setting(alice, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 7
    statuses = _spray(Client(REMOTE_ADDR=SPRAYER), [f"user{n}" for n in range(10)], ["guess"])
    assert statuses == [200] * 6 + [429] * 4


def test_the_address_lock_ends_after_the_cool_off(alice, settings):
    from axes.models import AccessAttempt
    from django.utils import timezone

    sprayer = Client(REMOTE_ADDR=SPRAYER)
    _spray(sprayer, [f"user{n:02}" for n in range(20)], ["guess"])
    assert try_login(sprayer, "alice", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=16))
    assert try_login(sprayer, "alice", PASSWORD).status_code == 302


def test_behind_a_proxy_a_sprayer_locks_only_their_own_address(alice, settings):
    settings.TRUSTED_PROXIES = 1
    sprayer = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=SPRAYER)
    _spray(sprayer, [f"user{n:02}" for n in range(20)], ["guess", "guess2"])
    assert try_login(sprayer, "alice", PASSWORD).status_code == 429
    colleague = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert try_login(colleague, "alice", PASSWORD).status_code == 302


def test_logging_out_is_a_post(alice_client):
    response = alice_client.post(reverse("logout"))
    assert response.status_code == 302
    assert alice_client.get(reverse("workshops:home")).status_code == 302


# Passwords.


def test_changing_the_password(alice, alice_client):
    page = alice_client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Change your password" in page.text
    response = alice_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-42",
            "new_password2": "a-new-long-passphrase-42",
        },
        follow=True,
    )
    assert "Your password is changed" in response.text
    alice.refresh_from_db()
    assert alice.check_password("a-new-long-passphrase-42")


def test_resetting_a_forgotten_password_by_email(client, alice):
    assert client.get(reverse("password_reset")).status_code == 200
    response = client.post(reverse("password_reset"), {"email": "alice@example.com"}, follow=True)
    assert "Check your email" in response.text
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your Common Ground password"
    assert "&#x27;" not in message.body
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body)[1]
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.text
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase-42", "new_password2": "a-new-long-passphrase-42"},
        follow=True,
    )
    assert "Your new password is set" in done.text
    alice.refresh_from_db()
    assert alice.check_password("a-new-long-passphrase-42")


def test_an_unknown_address_gets_the_same_reset_answer(client):
    response = client.post(reverse("password_reset"), {"email": "who@example.com"}, follow=True)
    assert "Check your email" in response.text
    assert mail.outbox == []


def test_a_used_reset_link_says_so(client):
    page = client.get(reverse("password_reset_confirm", args=["MQ", "set-password"]))
    assert "This reset link no longer works" in page.text


# The createfacilitator command.


def test_createfacilitator_with_a_password(db):
    out = StringIO()
    call_command(
        "createfacilitator",
        "--username=fran",
        "--email=fran@example.com",
        "--password=a-long-passphrase-1",
        stdout=out,
    )
    user = get_user_model().objects.get(username="fran")
    assert user.email == "fran@example.com"
    assert user.check_password("a-long-passphrase-1")
    assert not user.is_staff
    assert out.getvalue() == "Created facilitator fran (password: as given)\n"


def test_createfacilitator_generates_and_prints_a_password(db):
    out = StringIO()
    call_command("createfacilitator", "--username=gus", stdout=out)
    printed = re.fullmatch(r"Created facilitator gus \(password: (\S+)\)\n", out.getvalue())[1]
    assert len(printed) >= 16
    assert get_user_model().objects.get(username="gus").check_password(printed)


def test_createfacilitator_refuses_a_taken_username(alice):
    with pytest.raises(CommandError, match="already exists"):
        call_command("createfacilitator", "--username=alice", stdout=StringIO())
