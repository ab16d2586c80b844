"""The embedded Story engine: the Story API's whole pipeline, offline.

Layout (one job per module):
  service.py   the operations of the reference, one method each (no HTTP here)
  store.py     stories in SQLite, media files under the data folder
  jobs.py      background workers, progress, resume-on-restart, webhooks
  pipeline.py  the 7 steps, content-addressed so unchanged scenes are not re-rendered
  stages/      one module per pipeline stage (storyboard, images, narration, music,
               animate, compose), pure functions from inputs to files
"""
