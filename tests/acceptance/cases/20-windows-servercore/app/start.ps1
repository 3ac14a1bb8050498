Write-Output "started"
