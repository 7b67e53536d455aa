from mlmon.entry import main

main()
