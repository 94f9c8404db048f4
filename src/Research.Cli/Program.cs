System.Console.WriteLine("research");
