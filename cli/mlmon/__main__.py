from mlmon.app import main

main()
