from vidflow.cli import main

main()
