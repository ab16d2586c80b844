from vidflow.entry import run

run()
