// vidflow gallery: A/B playback in sync, and `vidflow serve`'s story list. No build step.
"use strict";

// --- A/B: the first video leads; the others follow its play, pause, seek and clock ---
const AB_TOLERANCE = 0.1; // seconds of drift before a follower is put back in step

function startAB() {
  const videos = Array.from(document.querySelectorAll("video.ab-video"));
  if (videos.length < 2) return;
  const [leader, ...followers] = videos;
  const drift = document.getElementById("ab-drift");
  const align = () => {
    let worst = 0;
    for (const v of followers) {
      const d = Math.abs(v.currentTime - leader.currentTime);
      if (d > AB_TOLERANCE && !v.seeking) v.currentTime = leader.currentTime;
      worst = Math.max(worst, d);
    }
    if (drift) drift.textContent = `drift ${worst.toFixed(2)} s`;
  };
  const playAll = () => Promise.all(videos.map((v) => v.play()));
  leader.addEventListener("play", () => followers.forEach((v) => v.play()));
  leader.addEventListener("pause", () => { followers.forEach((v) => v.pause()); align(); });
  leader.addEventListener("seeked", align);
  leader.addEventListener("ratechange",
    () => followers.forEach((v) => { v.playbackRate = leader.playbackRate; }));
  leader.addEventListener("ended", () => followers.forEach((v) => v.pause()));
  const tick = () => { if (!leader.paused) align(); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  document.getElementById("ab-play")?.addEventListener("click", playAll);
  document.getElementById("ab-pause")?.addEventListener("click", () => leader.pause());
  window.vidflowAB = { leader, followers, playAll };
}

// --- vidflow serve: the key stays in this tab (sessionStorage), sent as X-Api-Key ---
const KEY_SLOT = "vidflow-api-key";

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text; // never innerHTML: titles are other people's text
  return node;
}

async function loadServed(list) {
  const key = sessionStorage.getItem(KEY_SLOT);
  list.replaceChildren();
  if (!key) return;
  const status = document.getElementById("served-status");
  const answer = await fetch("gallery/stories", { headers: { "X-Api-Key": key } });
  if (!answer.ok) {
    status.textContent = answer.status === 401 ? "That key was refused." : `Error ${answer.status}`;
    return;
  }
  const { data } = await answer.json();
  status.textContent = `${data.length} stories for this key.`;
  for (const story of data) {
    const card = el("div", { class: "card", "data-id": story.id });
    const scenes = (story.storyboard && story.storyboard.scenes) || [];
    const poster = scenes.length && scenes[0].image_url ? scenes[0].image_url : "";
    if (story.video_url) {
      const attrs = { class: "poster", controls: "", muted: "", preload: "metadata",
                      src: story.video_url };
      if (poster) attrs.poster = poster;
      card.append(el("video", attrs));
    } else {
      card.append(el("div", { class: "poster none" }, "no video yet"));
    }
    card.append(el("span", { class: "address" }, story.title || story.id));
    const facts = el("dl");
    for (const [k, v] of [["status", story.status], ["credits", String(story.used_credits)],
                          ["id", story.id]]) {
      facts.append(el("dt", {}, k), el("dd", { class: k }, v));
    }
    card.append(facts);
    const strip = el("ol", { class: "scenes" });
    scenes.forEach((s) => strip.append(el("li", {}, s.narrator || s.narration || "")));
    card.append(strip);
    list.append(card);
  }
}

function startServed() {
  const form = document.getElementById("key-form");
  const list = document.getElementById("served-stories");
  if (!form || !list) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = form.querySelector("input[name=key]");
    sessionStorage.setItem(KEY_SLOT, input.value.trim());
    input.value = "";
    loadServed(list);
  });
  document.getElementById("key-forget")?.addEventListener("click", () => {
    sessionStorage.removeItem(KEY_SLOT);
    loadServed(list);
  });
  loadServed(list);
}

document.addEventListener("DOMContentLoaded", () => { startAB(); startServed(); });
