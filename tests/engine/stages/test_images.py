"""Procedural element and scene images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vidflow.engine.stages.canvas import ASPECT_SIZES, aspect_size
from vidflow.engine.stages.images import (
    render_element,
    render_scene,
    slot_boxes,
)
from vidflow.errors import MediaError

from .conftest import SMALL


@pytest.mark.parametrize("ratio,size", [("16:9", (1280, 720)), ("4:3", (960, 720)),
                                        ("1:1", (720, 720)), ("3:4", (720, 960)),
                                        ("9:16", (720, 1280))])
def test_full_size_table(ratio: str, size: tuple[int, int]) -> None:
    assert aspect_size(ratio) == size


@pytest.mark.parametrize("ratio", sorted(ASPECT_SIZES))
@pytest.mark.parametrize("scale", [0.25, 0.33, 0.5])
def test_scaled_sizes_stay_even(ratio: str, scale: float) -> None:
    w, h = aspect_size(ratio, scale=scale)
    assert w % 2 == 0 and h % 2 == 0
    assert abs(w / h - ASPECT_SIZES[ratio][0] / ASPECT_SIZES[ratio][1]) < 0.02


def test_unknown_ratio_names_the_choices() -> None:
    with pytest.raises(MediaError, match="16:9"):
        aspect_size("2:1")


def _scene(env: str, desc: str, elements: list[str] | None = None) -> tuple[dict, dict]:
    board = {"environments": [{"name": env, "description": desc}],
             "characters": [{"name": "Fox", "description": "a red fox"}],
             "objects": [{"name": "Lamp", "description": "a brass lamp"}]}
    scene = {"name": "One", "image_description": desc, "environment": env,
             "elements": elements if elements is not None else ["Fox", "Lamp"]}
    return scene, board


def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    scene, board = _scene("Snowy Peaks", "snow-covered mountains")
    render_scene(scene, board, SMALL, tmp_path / "a.png")
    render_scene(scene, board, SMALL, tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_different_description_different_image(tmp_path: Path) -> None:
    scene, board = _scene("Place", "snow-covered mountains")
    render_scene(scene, board, SMALL, tmp_path / "a.png")
    scene2, board2 = _scene("Place", "a sunny ocean beach")
    render_scene(scene2, board2, SMALL, tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() != (tmp_path / "b.png").read_bytes()


def _mean(path: Path, box: tuple[float, float, float, float] = (0, 0, 1, 0.3)) -> np.ndarray:
    img = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)
    h, w = img.shape[:2]
    return img[int(box[1] * h):int(box[3] * h), int(box[0] * w):int(box[2] * w)].mean((0, 1))


def test_backdrop_palette_follows_the_environment(tmp_path: Path) -> None:
    """Night skies are dark, desert skies warm, snow bright, meadows have green ground."""
    for env, desc in [("Night", "a starry night"), ("Desert", "desert dunes"),
                      ("Snow", "snowy slopes"), ("Meadow", "a green meadow")]:
        scene, board = _scene(env, desc, [])
        render_scene(scene, board, SMALL, tmp_path / f"{env}.png")
    night, desert = _mean(tmp_path / "Night.png"), _mean(tmp_path / "Desert.png")
    assert night.mean() < 80
    assert desert[0] > desert[2] + 60  # red over blue: a warm sky
    assert _mean(tmp_path / "Snow.png", (0, 0.85, 1, 1)).mean() > 200
    ground = _mean(tmp_path / "Meadow.png", (0, 0.75, 1, 1))
    assert ground[1] > ground[0] and ground[1] > ground[2]


def test_user_element_image_appears_in_its_slot(tmp_path: Path) -> None:
    """A pure-red product photo shows up where the product stands."""
    product = tmp_path / "product.png"
    Image.new("RGB", (200, 200), (255, 0, 0)).save(product)
    scene, board = _scene("Studio", "a photo studio", ["Fox", "Jar"])
    board["objects"] = [{"name": "Jar", "description": "our jar", "image": str(product)}]
    render_scene(scene, board, SMALL, tmp_path / "s.png")
    img = np.asarray(Image.open(tmp_path / "s.png").convert("RGB")).astype(int)
    red = (img[..., 0] > 240) & (img[..., 1] < 15) & (img[..., 2] < 15)
    left, top, right, bottom = slot_boxes(2, SMALL)[1]
    assert red[top:bottom, left:right].sum() > 400
    assert red.sum() == red[top:bottom, left:right].sum()  # and nowhere else


def test_element_images_mapping_is_composited(tmp_path: Path) -> None:
    """An already-downloaded element image (element_images) is used for that element."""
    photo = tmp_path / "fox.png"
    Image.new("RGB", (120, 160), (0, 0, 255)).save(photo)
    scene, board = _scene("Studio", "a photo studio", ["Fox"])
    render_scene(scene, board, SMALL, tmp_path / "s.png", element_images={"Fox": photo})
    img = np.asarray(Image.open(tmp_path / "s.png").convert("RGB")).astype(int)
    blue = (img[..., 2] > 240) & (img[..., 0] < 15) & (img[..., 1] < 15)
    assert blue.sum() > 300


def test_base_image_is_cropped_to_cover(tmp_path: Path) -> None:
    """images mode: a square photo fills a 16:9 frame; its middle survives the crop."""
    photo = tmp_path / "p.png"
    arr = np.zeros((300, 300, 3), np.uint8)
    arr[:, :, 1] = 200
    arr[:50] = (255, 0, 0)  # top band is cropped away by a 16:9 cover
    Image.fromarray(arr).save(photo)
    render_scene({"name": "x"}, {}, SMALL, tmp_path / "s.png", base_image=photo)
    out = Image.open(tmp_path / "s.png")
    assert out.size == SMALL
    assert _mean(tmp_path / "s.png", (0, 0.4, 1, 0.6))[1] > 190
    assert _mean(tmp_path / "s.png", (0, 0, 1, 0.05))[0] < 20


@pytest.mark.parametrize("kind", ["characters", "objects", "environments"])
def test_render_element(tmp_path: Path, kind: str) -> None:
    """Characters/objects are cut-outs on transparency; environments fill the frame."""
    out = tmp_path / "e.png"
    render_element({"name": "Thing", "description": "a forest"}, kind, (160, 160), out)
    img = Image.open(out)
    assert img.size == (160, 160)
    if kind == "environments":
        assert img.mode == "RGB"
    else:
        alpha = np.asarray(img)[..., 3]
        assert alpha[0, 0] == 0 and (alpha > 0).mean() > 0.05


def test_render_element_uses_a_given_source(tmp_path: Path) -> None:
    src = tmp_path / "src.png"
    Image.new("RGB", (50, 50), (0, 255, 0)).save(src)
    render_element({"name": "Logo"}, "objects", (100, 100), tmp_path / "o.png", source=src)
    img = np.asarray(Image.open(tmp_path / "o.png").convert("RGBA")).astype(int)
    green = (img[..., 1] > 240) & (img[..., 0] < 15) & (img[..., 3] == 255)
    assert green.sum() > 1000


def test_unreadable_user_image_is_a_media_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_text("nope")
    with pytest.raises(MediaError, match=r"bad\.png"):
        render_scene({"name": "x"}, {}, SMALL, tmp_path / "s.png", base_image=bad)


def test_scene_reuses_the_users_picture_from_an_element_image(tmp_path: Path) -> None:
    """The pipeline hands render_element's file (canvas + label) for a user's product;
    the scene shows just the picture, as large as the product's own file gives."""
    product = tmp_path / "product.png"
    Image.new("RGB", (200, 200), (255, 0, 0)).save(product)
    jar = {"name": "Jar", "description": "our jar"}
    element_png = tmp_path / "jar-element.png"
    render_element(jar, "objects", SMALL, element_png, source=product)
    scene, board = _scene("Studio", "a photo studio", ["Fox", "Jar"])
    board["objects"] = [jar]  # no image fields: the file alone carries the picture
    render_scene(scene, board, SMALL, tmp_path / "via-element.png",
                 element_images={"Jar": element_png})
    board["objects"] = [{**jar, "image": str(product)}]
    render_scene(scene, board, SMALL, tmp_path / "direct.png")

    def red(path: Path) -> int:
        img = np.asarray(Image.open(path).convert("RGB")).astype(int)
        return int(((img[..., 0] > 240) & (img[..., 1] < 15) & (img[..., 2] < 15)).sum())

    assert red(tmp_path / "via-element.png") == red(tmp_path / "direct.png") > 400


def test_drawn_element_images_are_redrawn_not_pasted(tmp_path: Path) -> None:
    """Drawn element files (figures with labels, generic backdrops) change nothing:
    the scene draws the same figure at its own scale, with its own backdrop details."""
    scene, board = _scene("Snowy Peaks", "snow-covered mountains")
    files = {}
    for kind, element in (("characters", board["characters"][0]),
                          ("objects", board["objects"][0]),
                          ("environments", board["environments"][0])):
        files[element["name"]] = tmp_path / f"{element['name']}.png"
        render_element(element, kind, SMALL, files[element["name"]])
    render_scene(scene, board, SMALL, tmp_path / "with.png", element_images=files)
    render_scene(scene, board, SMALL, tmp_path / "without.png")
    assert (tmp_path / "with.png").read_bytes() == (tmp_path / "without.png").read_bytes()


def test_users_environment_picture_becomes_the_backdrop(tmp_path: Path) -> None:
    place = tmp_path / "place.png"
    Image.new("RGB", (400, 300), (0, 200, 0)).save(place)
    env = {"name": "Our Shop", "description": "the flagship store"}
    env_png = tmp_path / "env.png"
    render_element(env, "environments", SMALL, env_png, source=place)
    scene, board = _scene("Our Shop", "the flagship store", [])
    render_scene(scene, board, SMALL, tmp_path / "s.png", element_images={"Our Shop": env_png})
    top = _mean(tmp_path / "s.png")
    assert top[1] > 190 and top[0] < 10
