"""The frontend's /config.json from the stack outputs (keys agreed with the
frontend) and the site's cache rules."""
from scripts.deploy import site
from scripts.deploy.stage import Stage

OUTPUTS = {"UserPoolId": "eu-west-2_abc", "UserPoolClientId": "client", "OAuthDomain": ""}


def test_config_without_google_lists_no_provider():
    config = site.runtime_config(Stage.load("dev"), "https://x.execute-api.eu-west-2.amazonaws.com/api/",
                                 "eu-west-2", OUTPUTS)
    assert config == {"apiUrl": "https://x.execute-api.eu-west-2.amazonaws.com/api", "region": "eu-west-2",
                      "userPoolId": "eu-west-2_abc", "userPoolClientId": "client", "signInProviders": [],
                      "stage": "dev"}


def test_config_with_google_offers_it_and_names_the_oauth_domain():
    outputs = dict(OUTPUTS, OAuthDomain="credits-saas-dev-1.auth.eu-west-2.amazoncognito.com")
    config = site.runtime_config(Stage.load("dev"), "https://api", "eu-west-2", outputs)
    assert config["signInProviders"] == ["Google"]
    assert config["oauthDomain"] == outputs["OAuthDomain"]
    assert "cognitoEndpoint" not in config and "localEmulator" not in config


def test_hashed_assets_are_immutable_and_entry_points_are_revalidated():
    assert site.cache_control("assets/index-3f2a.js") == site.IMMUTABLE
    assert site.cache_control("index.html") == site.cache_control("config.json") == site.NO_CACHE
