import pytest

from integrations.box.naming import DeliveryFolderName, delivery_folder_name, parse_delivery_folder_name


def test_folder_name_is_omg_number_slug_and_round():
    assert delivery_folder_name(omg_job_number="OMG-24017", slug="hero-banner", round=3) == "OMG-24017_hero-banner_v3"


@pytest.mark.parametrize(
    ("omg", "slug", "round"),
    [("OMG-24017", "hero-banner", 1), ("12345", "a", 12), ("JOB_7", "web_banner-2", 2), ("X", "y_z", 100)],
)
def test_the_parse_reads_back_what_the_name_wrote(omg, slug, round):
    name = delivery_folder_name(omg_job_number=omg, slug=slug, round=round)
    assert DeliveryFolderName(omg, slug, round) in parse_delivery_folder_name(name)


def test_underscores_give_every_reading_first_split_first():
    assert parse_delivery_folder_name("A_B_c_v2") == [
        DeliveryFolderName("A", "b_c", 2),
        DeliveryFolderName("A_B", "c", 2),
    ]


@pytest.mark.parametrize(
    "name", ["", "Random folder", "OMG-1_hero", "OMG-1_hero_v0", "OMG-1_hero_vx", "_hero_v1", "OMG_v1"]
)
def test_names_outside_the_convention_do_not_parse(name):
    assert parse_delivery_folder_name(name) == []


def test_case_and_unsafe_characters():
    assert parse_delivery_folder_name("omg-1_Hero-Banner_V4") == [DeliveryFolderName("omg-1", "hero-banner", 4)]
    assert delivery_folder_name(omg_job_number="OMG/1", slug="s", round=1) == "OMG-1_s_v1"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"omg_job_number": "", "slug": "s", "round": 1},
        {"omg_job_number": "O", "slug": "", "round": 1},
        {"omg_job_number": "O", "slug": "s", "round": 0},
    ],
)
def test_a_name_needs_all_three_parts(kwargs):
    with pytest.raises(ValueError):
        delivery_folder_name(**kwargs)
