"""Data versions: strict SemVer, ordered by packaging.version, and the bump between two of them."""

import pytest

from conflictdata import semver
from conflictdata.errors import ReleaseError


@pytest.mark.parametrize("old, new, bump", [
    ("2.0.0-rc.1", "2.0.0", "major"),      # was "none": the pre-release was compared as 2.0.0 itself
    ("1.3.0-rc.1", "1.3.0", "minor"),
    ("1.2.4-beta.0", "1.2.4", "patch"),
    ("2.0.0-rc.1", "2.0.0-rc.2", "major"),
    ("2.0.0-alpha.3", "2.0.0-beta.1", "major"),
    ("1.9.0", "2.0.0-rc.1", "major"),
    ("2.0.0-rc.2", "2.0.0-rc.1", "none"),
    ("2.0.0", "2.0.0-rc.1", "none"),
    ("2.0.0", "2.0.1-rc.1", "patch"),
    ("1.2.0", "1.2.0", "none"),
])
def test_the_bump_between_two_versions_with_pre_releases(old, new, bump):
    assert semver.declared_bump(old, new) == bump


def test_pre_releases_order_before_their_release_and_by_number():
    versions = ["2.0.0", "2.0.0-rc.10", "2.0.0-rc.2", "2.0.0-beta.1", "1.10.0", "1.9.0", "2.0.0-alpha.1"]
    assert sorted(versions, key=semver.key) == ["1.9.0", "1.10.0", "2.0.0-alpha.1", "2.0.0-beta.1",
                                                "2.0.0-rc.2", "2.0.0-rc.10", "2.0.0"]


def test_a_release_candidate_covers_what_its_release_needs():
    assert semver.covers("2.0.0-rc.1", "2.0.0", "patch")
    assert not semver.covers("2.0.0-rc.1", "2.0.0-rc.1", "patch")


@pytest.mark.parametrize("text", ["2.0.0-x.7", "2.0.0-rc1", "2.0.0-rc", "2.0.0-RC.1", "2.0.0-rc.01"])
def test_a_pre_release_packaging_and_semver_would_order_differently_is_refused_clearly(text):
    assert not semver.is_version(text)
    with pytest.raises(ReleaseError, match=r"pre-release must be -alpha\.N, -beta\.N or -rc\.N"):
        semver.parse(text)


@pytest.mark.parametrize("text", ["v1.2.0", "1.2", "1.2.0.post1", "1!2.0.0", "1.2.0+build", "01.2.0", "../1.2.0", ""])
def test_what_pep_440_reads_but_is_no_data_version_is_refused(text):
    assert not semver.is_version(text)
    with pytest.raises(ReleaseError, match="not a semantic version"):
        semver.key(text)
