"""Admin → Settings → API tokens: administrators issue and revoke the tokens that give API
clients the higher rate limit (DRF's ``rest_framework.authtoken``; one token per user).

A token's key is shown once, when it is issued; the list shows only its first characters, and
no URL carries a key (DRF's own admin is not installed: the site's admin is Wagtail's). The
views are mounted in the admin by api/wagtail_hooks.py.

These are plain views rather than a Wagtail ModelViewSet: a ModelViewSet addresses a token by
its primary key, which for DRF's Token is the secret key itself (its edit and delete URLs
would carry it), and its index accepts no POST, while the issue form lives on the list."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

TEMPLATE = engines["django"].from_string(
    """{% extends "wagtailadmin/base.html" %}
{% block titletag %}API tokens{% endblock %}
{% block content %}
{% include "wagtailadmin/shared/header.html" with title="API tokens" icon="key" %}
<div class="nice-padding">
  <p>A token lets an API client (<code>Authorization: Token &lt;key&gt;</code>) read
  <a href="{{ api_url }}">{{ api_url }}</a> at the higher rate limit. It gives no other access.
  The key is shown once, when it is issued.</p>
  <form method="post" action="{{ issue_url }}" class="w-mb-8">
    {% csrf_token %}
    {{ form.as_p }}
    <button type="submit" class="button">Issue a token</button>
  </form>
  {% if tokens %}
  <table class="listing">
    <thead><tr><th>User</th><th>Key</th><th>Issued</th><th></th></tr></thead>
    <tbody>
    {% for token in tokens %}
      <tr>
        <td>{{ token.user.get_username }}</td>
        <td><code>{{ token.key|slice:":6" }}…</code></td>
        <td>{{ token.created|date:"j M Y H:i" }}</td>
        <td>
          <form method="post" action="{% url 'api_tokens:revoke' token.user_id %}">
            {% csrf_token %}
            <button type="submit" class="button button-small button-secondary no">Revoke</button>
          </form>
        </td>
      </tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}
  <p>No token has been issued.</p>
  {% endif %}
</div>
{% endblock %}
"""
)


class IssueTokenForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        help_text="Who the token is for. Issuing again replaces the user's current token.",
    )


def _admin_only(request):
    if not request.user.is_superuser:
        raise PermissionDenied("Only administrators manage API tokens.")


def _page(request, form):
    return TemplateResponse(
        request,
        TEMPLATE,
        {
            "form": form,
            "tokens": Token.objects.select_related("user").order_by("-created"),
            "issue_url": reverse("api_tokens:index"),
            "api_url": request.build_absolute_uri(reverse("api:root")),
        },
    )


@require_http_methods(["GET", "POST"])
def index(request):
    _admin_only(request)
    if request.method == "POST":
        form = IssueTokenForm(request.POST)
        if form.is_valid():
            user = form.cleaned_data["user"]
            Token.objects.filter(user=user).delete()
            token = Token.objects.create(user=user)
            messages.success(
                request,
                f"Token for {user.get_username()}: {token.key} (copy it now: it is not shown "
                "again).",
            )
            return redirect("api_tokens:index")
    else:
        form = IssueTokenForm()
    return _page(request, form)


@require_POST
def revoke(request, user_id):
    _admin_only(request)
    token = get_object_or_404(Token, user_id=user_id)
    username = token.user.get_username()
    token.delete()
    messages.success(request, f"The API token of {username} is revoked.")
    return redirect("api_tokens:index")
