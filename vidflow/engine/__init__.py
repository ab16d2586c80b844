"""The embedded Story engine: the Story API's whole pipeline, offline.

Layout (one job per module):
  service.py     the operations of the reference, one method each (no HTTP here)
  validation.py  the reference's enums, ranges, defaults and JSON-field shapes
  credits.py     the price of each operation (charged up front, refunded on failure)
  store.py       stories and balances in SQLite, media files under the data folder
  jobs.py        background workers, per-account slots, progress, terminal states
  steps.py       each job kind's steps in order, with progress weights, and their runner
  work.py        the background jobs (automatic modes, create_videos, concat), resumable
  pipeline.py    the 7 steps' media work over the stages
  assets.py      content-addressed files, so unchanged scenes are not re-rendered
  outbound.py    the one gate for client-named URLs: public addresses only (unless opened)
  fetch.py       downloads through it, size and pixel limits of user media
  webhooks.py    completion notifications, retried, in their own threads
  demo.py        `python -m vidflow.engine.demo`: one idea to one MP4
  stages/        one module per pipeline stage (storyboard, images, narration, music,
                 animate, compose), pure functions from inputs to files
"""
